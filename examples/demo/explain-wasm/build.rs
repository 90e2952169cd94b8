//! The large capacity class builds its policy on the stack on its way to
//! the heap. wasm-ld's default of 1 MiB is enough today (a 4,000-origin
//! document runs in an unoptimized build with 1 MiB and overflows 64 KiB,
//! which traps: the stack comes first in memory), so the .wasm is linked
//! with twice that, said here rather than left to a default. Host builds
//! keep their own stack.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=-zstack-size={}", 2 << 20);
        println!("cargo:rustc-link-arg-cdylib=--strip-all");
    }
}
