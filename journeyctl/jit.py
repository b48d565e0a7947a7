"""numba's `njit`, with compiled kernels cached on disk in the user's cache directory.

Every module with a numba kernel imports `njit` from here, so the cache directory is chosen
before numba is first imported (numba reads NUMBA_CACHE_DIR once, at import); kernels use
`cache=True`. The user's own NUMBA_CACHE_DIR always wins. Import this module only where a kernel
will run: importing numba alone costs about half a second (`journeyctl.compiling`).
"""

from __future__ import annotations

from journeyctl.compiling import use_user_cache_dir

use_user_cache_dir()

from numba import njit  # noqa: E402  (after the cache directory is chosen)

__all__ = ["njit"]
