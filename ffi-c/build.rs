//! Gives the shared library a SONAME, so that programs linked against
//! `libcorsguard.so` load the ABI-compatible `libcorsguard.so.<ABI>`. The ABI
//! version follows cargo-c's rule (and `ffi-c/Makefile`'s): `0.0.PATCH` for
//! 0.0.x, `0.MINOR` for 0.x (before 1.0 a minor release may change the ABI),
//! `MAJOR` from 1.0 on.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        let major = env!("CARGO_PKG_VERSION_MAJOR");
        let minor = env!("CARGO_PKG_VERSION_MINOR");
        let patch = env!("CARGO_PKG_VERSION_PATCH");
        let abi = match (major, minor) {
            ("0", "0") => format!("0.0.{patch}"),
            ("0", _) => format!("0.{minor}"),
            _ => major.to_string(),
        };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcorsguard.so.{abi}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
