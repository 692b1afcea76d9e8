//! Packs the library's relative relocations (`DT_RELR`) on Linux GNU targets.
//!
//! The time-zone tables the core carries (chrono-tz) are static data full of pointers, and a
//! shared library must relocate every one of them at load time. Stored as classic `Elf64_Rela`
//! entries those relocations take 24 bytes each, about 0.8 MB of the stripped library; packed as
//! `DT_RELR` bitmaps they take about 16 KB, and the loader applies them faster. GNU ld 2.38+ and
//! lld 15+ understand the flag and glibc 2.36+ loads the result. Android's NDK packs relocations
//! per app (`-Wl,--pack-dyn-relocs=relr` for API 30+, see the README) and Apple's
//! linker uses chained fixups, so other targets are left as they are. Set
//! `LOYALTY_MOBILE_NO_RELR=1` to build for a system with a glibc older than 2.36.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" && std::env::var_os("LOYALTY_MOBILE_NO_RELR").is_none() {
        println!("cargo:rustc-link-arg-cdylib=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-env-changed=LOYALTY_MOBILE_NO_RELR");
}
