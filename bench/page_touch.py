"""Times the first touch of fresh memory (one write per 4 KiB page, so the kernel maps and
zeroes each page) against writing the same memory again: what a page fault costs here.

Usage: python bench/page_touch.py [MIB ...]   (default 100 400; needs numpy)

numpy asks the kernel for transparent huge pages on large arrays; each size is measured with
that off (4 KiB pages, as the Rust allocator gets them) and then on.
"""
import sys
import time

import numpy as np

PAGE = 4096


def huge_pages(on: bool) -> None:
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _set_madvise_hugepage
    _set_madvise_hugepage(on)


def main() -> None:
    for mib, huge in [(int(x), h) for x in (sys.argv[1:] or ["100", "400"]) for h in (False, True)]:
        huge_pages(huge)
        for _ in range(3):
            size = mib << 20
            start = time.perf_counter()
            block = np.empty(size, dtype=np.uint8)  # large blocks are fresh mappings
            block[::PAGE] = 1
            first = time.perf_counter() - start
            start = time.perf_counter()
            block[::PAGE] = 2
            again = time.perf_counter() - start
            per_page = first / (size // PAGE) * 1e6
            print(f"{mib} MiB, huge pages {'on' if huge else 'off'}: first touch {first * 1e3:.1f} ms ({per_page:.2f} us a page), again {again * 1e3:.1f} ms")
            del block


if __name__ == "__main__":
    main()
