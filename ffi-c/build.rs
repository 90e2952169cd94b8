//! Gives the shared library a SONAME, so that programs linked against
//! `libcorsguard.so` load the ABI-compatible `libcorsguard.so.MAJOR.MINOR`
//! (before 1.0 a minor release may change the ABI).

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        let major = env!("CARGO_PKG_VERSION_MAJOR");
        let minor = env!("CARGO_PKG_VERSION_MINOR");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcorsguard.so.{major}.{minor}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
