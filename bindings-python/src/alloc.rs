//! The extension's allocator: large blocks mapped from the kernel and unmapped when freed.
//!
//! glibc maps blocks of 128 KiB or more at first, but each time such a block is freed it
//! raises that threshold to the block's size (up to 32 MiB). After one analytics call, the
//! next call's megabyte-sized tables come from the heaps of whichever threads ran it, and
//! what one thread frees there another cannot reuse or give back. Through Python, five
//! `rfm(threads=2)` calls on 10M orders in one process took the peak from 640 to 1,005 MiB.
//! Mapping every block of [`LARGE`] bytes or more, as glibc does before its threshold moves,
//! keeps each call's peak that of the first. Smaller blocks, and every block off Linux, go to
//! the system allocator unchanged. Only the extension's own Rust allocations come here;
//! Python's and numpy's do not.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks of this many bytes or more are mapped.
pub const LARGE: usize = 1 << 17;

/// The allocator: see the module documentation.
pub struct Mapped;

/// The page size mappings are aligned to (the smallest on every Linux target).
const PAGE: usize = 4096;

#[cfg(target_os = "linux")]
fn mapped(layout: Layout) -> bool {
    layout.size() >= LARGE && layout.align() <= PAGE
}

#[cfg(not(target_os = "linux"))]
fn mapped(_: Layout) -> bool {
    false
}

#[cfg(target_os = "linux")]
mod kernel {
    /// A fresh zeroed private mapping of `size` bytes, or null.
    pub unsafe fn map(size: usize) -> *mut u8 {
        // SAFETY: an anonymous private mapping at an address the kernel picks touches no
        // existing memory.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            std::ptr::null_mut()
        } else {
            p.cast()
        }
    }

    /// Unmaps a block `map` or `remap` returned with this size.
    pub unsafe fn unmap(ptr: *mut u8, size: usize) {
        // SAFETY: the caller passes a whole mapping of ours; nothing else refers to it.
        unsafe { libc::munmap(ptr.cast(), size) };
    }

    /// Resizes a mapping, moving it if it must (its pages move, not its bytes), or null
    /// (the old mapping is then untouched).
    pub unsafe fn remap(ptr: *mut u8, old: usize, new: usize) -> *mut u8 {
        // SAFETY: the caller passes a whole mapping of ours, of `old` bytes.
        let p = unsafe { libc::mremap(ptr.cast(), old, new, libc::MREMAP_MAYMOVE) };
        if p == libc::MAP_FAILED {
            std::ptr::null_mut()
        } else {
            p.cast()
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod kernel {
    // Never called: off Linux no block is mapped.
    pub unsafe fn map(_: usize) -> *mut u8 {
        std::ptr::null_mut()
    }
    pub unsafe fn unmap(_: *mut u8, _: usize) {}
    pub unsafe fn remap(_: *mut u8, _: usize, _: usize) -> *mut u8 {
        std::ptr::null_mut()
    }
}

// SAFETY: every block is either the system allocator's, when `mapped` is false for its layout,
// or a whole mapping of its size; `mapped` depends only on the layout, which the caller hands
// back unchanged on free (and `realloc` moves blocks between the two kinds by copying).
unsafe impl GlobalAlloc for Mapped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if mapped(layout) {
            // SAFETY: a fresh mapping.
            unsafe { kernel::map(layout.size()) }
        } else {
            // SAFETY: forwarded as the caller made it.
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if mapped(layout) {
            // SAFETY: fresh mappings are zeroed by the kernel.
            unsafe { kernel::map(layout.size()) }
        } else {
            // SAFETY: forwarded as the caller made it.
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if mapped(layout) {
            // SAFETY: a block of this layout is a whole mapping of its size.
            unsafe { kernel::unmap(ptr, layout.size()) }
        } else {
            // SAFETY: a block of this layout is the system allocator's.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY (the caller's contract): `new_size` with this alignment is a valid layout.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (mapped(layout), mapped(new)) {
            // SAFETY: a whole mapping of ours, resized.
            (true, true) => unsafe { kernel::remap(ptr, layout.size(), new_size) },
            // SAFETY: the system allocator's block, resized by it.
            (false, false) => unsafe { System.realloc(ptr, layout, new_size) },
            _ => {
                // SAFETY: a fresh block of the new kind; the old one is copied, then freed
                // only once the copy succeeded.
                unsafe {
                    let moved = self.alloc(new);
                    if !moved.is_null() {
                        std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    moved
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a pattern over `len` bytes from `ptr`.
    unsafe fn fill(ptr: *mut u8, len: usize, seed: u8) {
        for i in 0..len {
            unsafe { *ptr.add(i) = (i as u8).wrapping_mul(31).wrapping_add(seed) };
        }
    }

    /// Whether `len` bytes from `ptr` hold the pattern.
    unsafe fn holds(ptr: *const u8, len: usize, seed: u8) -> bool {
        (0..len).all(|i| unsafe { *ptr.add(i) } == (i as u8).wrapping_mul(31).wrapping_add(seed))
    }

    /// Taken by the tests that map blocks (see `freed_large_blocks_are_unmapped`).
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn blocks_keep_their_bytes_across_kinds_and_sizes() {
        let _alone = LOCK.lock();
        let a = Mapped;
        // Small -> large -> larger (a remap) -> smaller but large -> small, keeping the bytes
        // each size shares with the one before.
        let sizes = [1000, LARGE + 123, 5 * LARGE + 7, LARGE, 4000, 64];
        unsafe {
            let mut layout = Layout::from_size_align(sizes[0], 8).unwrap();
            let mut ptr = a.alloc(layout);
            assert!(!ptr.is_null());
            fill(ptr, sizes[0], 7);
            for pair in sizes.windows(2) {
                let (old, new) = (pair[0], pair[1]);
                ptr = a.realloc(ptr, layout, new);
                assert!(!ptr.is_null(), "{old} -> {new}");
                assert!(holds(ptr, old.min(new), 7), "{old} -> {new}");
                assert_eq!(ptr as usize % 8, 0);
                layout = Layout::from_size_align(new, 8).unwrap();
                fill(ptr, new, 7);
            }
            a.dealloc(ptr, layout);
        }
    }

    #[test]
    fn zeroed_blocks_are_zero_and_alignment_holds() {
        let _alone = LOCK.lock();
        let a = Mapped;
        for (size, align) in [(LARGE, 64), (3 * LARGE, 4096), (100, 16), (LARGE, 8192)] {
            let layout = Layout::from_size_align(size, align).unwrap();
            unsafe {
                let ptr = a.alloc_zeroed(layout);
                assert!(!ptr.is_null());
                assert_eq!(ptr as usize % align, 0, "{size} aligned to {align}");
                assert!((0..size).all(|i| *ptr.add(i) == 0), "{size} zeroed");
                fill(ptr, size, 3);
                a.dealloc(ptr, layout);
            }
        }
    }

    /// Whether any mapping of this process holds `addr` (from `/proc/self/maps`).
    #[cfg(target_os = "linux")]
    fn is_mapped(addr: usize) -> bool {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        maps.lines().any(|line| {
            let range = line.split_whitespace().next().unwrap_or("");
            let mut ends = range.split('-').map(|a| usize::from_str_radix(a, 16).unwrap_or(0));
            let (start, end) = (ends.next().unwrap_or(0), ends.next().unwrap_or(0));
            (start..end).contains(&addr)
        })
    }

    /// The point of the allocator: a freed large block goes back to the kernel at once,
    /// every time. (glibc gives back the first such block, then raises its threshold and keeps
    /// the next in a heap.) The other tests map blocks of their own and could be handed the
    /// freed range; they take the same lock.
    #[cfg(target_os = "linux")]
    #[test]
    fn freed_large_blocks_are_unmapped() {
        let _alone = LOCK.lock();
        let a = Mapped;
        let layout = Layout::from_size_align(1 << 20, 8).unwrap();
        for round in 0..3 {
            unsafe {
                let ptr = a.alloc(layout);
                assert!(!ptr.is_null());
                fill(ptr, layout.size(), 1);
                let (first, last) = (ptr as usize, ptr as usize + layout.size() - 1);
                assert!(is_mapped(first) && is_mapped(last));
                a.dealloc(ptr, layout);
                assert!(!is_mapped(first) && !is_mapped(last), "round {round}: given back");
            }
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn only_large_page_aligned_blocks_are_mapped() {
        assert!(mapped(Layout::from_size_align(LARGE, 8).unwrap()));
        assert!(!mapped(Layout::from_size_align(LARGE - 1, 8).unwrap()));
        assert!(!mapped(Layout::from_size_align(LARGE, 8192).unwrap()));
    }
}
