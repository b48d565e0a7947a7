"""Placement on a Dask cluster (PRODUCT §9): the same engine, partition by partition.

`connect` opens a client (a running scheduler or a local cluster) and checks the workers'
journeyctl version; `work` holds what the workers run (read a source, place a partition);
`run` is the client side: read on the workers, Dask's shuffle by customer id, place (and the
customers' KPI values for the analysis), merge.
Nothing here imports the CLI: progress is a callback, errors are journeyctl's own.
"""
