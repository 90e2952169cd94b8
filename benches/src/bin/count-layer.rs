//! Runs one tower layer case N times, for callgrind to count
//! (`benches/instructions.sh`):
//!
//!     count-layer CASE actual|preflight corsguard-tower|tower-http|bare N
//!
//! CASE is `exact_16` or `pattern` (`corsguard_benches::layer::cases()`).
//! Each request goes through the layer around the same trivial service and
//! its response is dropped, as in criterion's `layer` bench; two runs with
//! different N differ by exactly the work of the extra requests.

use std::hint::black_box;
use std::process::ExitCode;

use corsguard_benches::layer::{actual, bare, call, cases, document, preflight, tower_http_layer};
use tower::Layer;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [case, kind, which, n] = args.as_slice() else {
        eprintln!("usage: count-layer CASE actual|preflight corsguard-tower|tower-http|bare N");
        return ExitCode::from(2);
    };
    let Some(case) = cases().into_iter().find(|c| c.name == case) else {
        eprintln!("count-layer: unknown case {case}");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("count-layer: N must be a number");
        return ExitCode::from(2);
    };
    let request = match kind.as_str() {
        "actual" => actual(&case.hit),
        "preflight" => preflight(&case.hit),
        _ => {
            eprintln!("count-layer: the kind is actual or preflight");
            return ExitCode::from(2);
        }
    };
    let mut headers = 0usize;
    let mut run = |mut respond: Box<dyn FnMut(http::Request<()>) -> usize>| {
        for _ in 0..n {
            headers += respond(black_box(request.clone()));
        }
    };
    match which.as_str() {
        "corsguard-tower" => {
            let layer =
                corsguard_tower::CorsLayer::from_json(&document(&case)).expect("a valid document");
            let mut service = layer.layer(bare());
            run(Box::new(move |req| call(&mut service, req).headers().len()));
        }
        "tower-http" => {
            let mut service = tower_http_layer(&case).layer(bare());
            run(Box::new(move |req| call(&mut service, req).headers().len()));
        }
        "bare" => {
            let mut service = bare();
            run(Box::new(move |req| call(&mut service, req).headers().len()));
        }
        _ => {
            eprintln!("count-layer: corsguard-tower, tower-http or bare");
            return ExitCode::from(2);
        }
    }
    black_box(headers);
    ExitCode::SUCCESS
}
