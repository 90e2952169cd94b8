//! Puts memory.x on the linker's path, asks for a map file per image, and,
//! for the vectors image, encodes `tests/vectors/` as Rust data: each case's
//! policy document as its JSON text (the target's loader parses it), the
//! request and the expectation as byte strings and codes. Nothing of the
//! policy is translated here.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    fs::copy("memory.x", out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    // OUT_DIR is <target>/<triple>/<profile>/build/<pkg>-<hash>/out: the map
    // files go beside the images.
    let images = out.ancestors().nth(3).unwrap();
    for bin in ["vectors", "device", "baseline"] {
        println!(
            "cargo:rustc-link-arg-bin={bin}=-Map={}",
            images.join(format!("{bin}.map")).display()
        );
    }
    if env::var_os("CARGO_FEATURE_LOADER").is_some() {
        let dir = Path::new("../../tests/vectors");
        println!("cargo:rerun-if-changed={}", dir.display());
        println!("cargo:rerun-if-changed={}", dir.join("routes").display());
        fs::write(out.join("vectors.rs"), encode(dir)).unwrap();
    }
}

/// Every case of every `*.json` of `dir` and of `dir/routes`, in file-name
/// order, as a `CASES` array.
fn encode(dir: &Path) -> String {
    let mut files = Vec::new();
    for sub in [dir.to_path_buf(), dir.join("routes")] {
        let mut here: Vec<PathBuf> = fs::read_dir(&sub)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        here.sort();
        files.extend(here);
    }
    let mut src = String::from("static CASES: &[Case] = &[\n");
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        let text = fs::read_to_string(&file).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let topic = doc["topic"].as_str().unwrap();
        for case in doc["cases"].as_array().unwrap() {
            src += &case_src(topic, case.as_object().unwrap());
        }
    }
    src += "];\n";
    src
}

fn case_src(topic: &str, case: &Map<String, Value>) -> String {
    let policy = match &case["policy"] {
        Value::String(text) => text.clone(),
        object => serde_json::to_string(object).unwrap(),
    };
    let features: Vec<&str> = case.get("features").map_or(vec![], |f| {
        f.as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect()
    });
    let check = if let Some(expect) = case.get("expect") {
        format!(
            "Check::Evaluate(&Request {{ {} }}, &Expect {{ {} }})",
            request_src(case["request"].as_object().unwrap()),
            expect_src(expect.as_object().unwrap())
        )
    } else if let Some(error) = case.get("expect_error") {
        let e = error.as_object().unwrap();
        format!(
            "Check::Error(&ExpectError {{ code: {:?}, problem: {}, path: {}, errors: {}, message_contains: &[{}] }})",
            e["code"].as_str().unwrap(),
            opt_str(e.get("problem")),
            opt_str(e.get("path")),
            e.get("errors").map_or("None".into(), |list| format!("Some(&[{}])", problems_src(list))),
            e.get("message_contains").map_or(String::new(), |m| m
                .as_array()
                .unwrap()
                .iter()
                .map(|s| format!("{:?}, ", s.as_str().unwrap()))
                .collect()),
        )
    } else {
        format!(
            "Check::Findings(&[{}])",
            problems_src(&case["expect_findings"])
        )
    };
    format!(
        "Case {{ topic: {topic:?}, name: {:?}, policy: {policy:?}, verdict_probes: {}, features: &{features:?}, check: {check} }},\n",
        case["name"].as_str().unwrap(),
        case.get("verdict_probes").map_or(0, |v| v.as_u64().unwrap()),
    )
}

fn problems_src(list: &Value) -> String {
    let mut src = String::new();
    for p in list.as_array().unwrap() {
        let _ = write!(
            src,
            "({:?}, {:?}), ",
            p["code"].as_str().unwrap(),
            p["path"].as_str().unwrap()
        );
    }
    src
}

fn opt_str(value: Option<&Value>) -> String {
    match value {
        None => "None".into(),
        Some(v) => format!("Some({:?})", v.as_str().unwrap()),
    }
}

/// `Some(None)` for a key given as `null`, `None` for a missing key.
fn opt_opt_str(value: Option<&Value>) -> String {
    match value {
        None => "None".into(),
        Some(Value::Null) => "Some(None)".into(),
        Some(v) => format!("Some(Some({:?}))", v.as_str().unwrap()),
    }
}

/// A byte string: text, `{"hex"}` (decoded here) or `{"repeat"}` (expanded
/// on the target, into its heap).
fn bytes_src(value: &Value) -> String {
    match value {
        Value::String(s) => format!("Bytes::Text({s:?})"),
        Value::Object(o) if o.contains_key("hex") => {
            let hex = o["hex"].as_str().unwrap();
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            format!("Bytes::Raw(&{bytes:?})")
        }
        Value::Object(o) => format!(
            "Bytes::Repeat {{ prefix: {:?}, unit: {:?}, times: {}, suffix: {:?} }}",
            o.get("prefix").and_then(Value::as_str).unwrap_or(""),
            o["repeat"].as_str().unwrap(),
            o["times"].as_u64().unwrap(),
            o.get("suffix").and_then(Value::as_str).unwrap_or(""),
        ),
        other => panic!("not a byte string: {other}"),
    }
}

fn opt_bytes(value: Option<&Value>) -> String {
    value.map_or("None".into(), |v| format!("Some({})", bytes_src(v)))
}

fn request_src(r: &Map<String, Value>) -> String {
    format!(
        "method: {}, origin: {}, request_method: {}, request_headers: {}, request_private_network: {}, origin_verdict: {:?}, path: {}",
        bytes_src(&r["method"]),
        opt_bytes(r.get("origin")),
        opt_bytes(r.get("request_method")),
        opt_bytes(r.get("request_headers")),
        opt_bytes(r.get("request_private_network")),
        r.get("origin_verdict").map(|v| v.as_bool().unwrap()),
        opt_bytes(r.get("path")),
    )
}

fn expect_src(e: &Map<String, Value>) -> String {
    let failures = e.get("failures").map_or("None".into(), |f| {
        let names: Vec<&str> = f
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        format!("Some(&{names:?})")
    });
    let headers = e.get("headers").map_or("None".into(), |h| {
        let mut src = String::from("Some(&[");
        for pair in h.as_array().unwrap() {
            let _ = write!(
                src,
                "({:?}, {}), ",
                pair[0].as_str().unwrap(),
                bytes_src(&pair[1])
            );
        }
        src + "])"
    });
    format!(
        "policy: {}, kind: {}, outcome: {}, reason: {}, reason_detail: {}, failures: {failures}, action: {}, status: {:?}, headers: {headers}, body: {}",
        opt_opt_str(e.get("policy")),
        opt_str(e.get("kind")),
        opt_str(e.get("outcome")),
        opt_opt_str(e.get("reason")),
        opt_bytes(e.get("reason_detail")),
        opt_str(e.get("action")),
        e.get("status").map(|v| v.as_u64().unwrap() as u16),
        opt_opt_str(e.get("body")),
    )
}
