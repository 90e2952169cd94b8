//! Converts the conformance vectors of `tests/vectors/*.json` into a line
//! format that the C runner (`ffi-c/tests/c/test_vectors.c`) reads without a
//! JSON parser. It only transcribes: every answer checked by the C runner
//! comes from the C API.
//!
//! Usage: `cargo run -p corsguard-ffi --example vectors_to_lines -- <vectors dir>... <out file>`
//! (the C runner passes `tests/vectors` and `tests/vectors/routes`; each
//! directory's files are read in file-name order).
//!
//! Each line is `<section> <key> [<value>]`, tokens separated by one space.
//! Every byte string is written as `x` followed by its bytes in hex (`x` alone
//! for an empty string), so values may hold any byte. A case starts with
//! `case x<name>` and ends with `end`. The policy is the document's JSON text
//! (an object serialized with its keys in order, a string as is), which the C
//! runner loads with `corsguard_policy_from_json`:
//!
//! ```text
//! case x...            policy x...
//! req method|origin|request_method|request_headers|request_private_network|path x...
//! req origin_verdict 0|1
//! exp policy x<name>|none   (the served policy's name; none: no policy)
//! exp kind|outcome|action <code>   exp reason <code>|none   exp status N
//! exp reason_detail x...   exp failures a,b|-   exp body x...|none
//! exp headers N   (then N lines)   exp header <Name> x...
//! err code <code>   err problem <code>   err path x...   err contains x...
//! err errors N   (then N lines)   err error <code> x<path>
//! probes N   (the case's verdict_probes, the host's verdict on the probe origins)
//! findings N   (then N lines)   finding <code> x<path>
//! end
//! ```
//! Unknown keys in the JSON are an error, as in the Rust runner.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::ExitCode;

use serde_json::{Map, Value};

type Result<T> = std::result::Result<T, String>;

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(1 + 2 * bytes.len());
    out.push('x');
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn from_hex(digits: &str) -> Result<Vec<u8>> {
    if digits.len() % 2 != 0 {
        return Err(format!("hex {digits:?} has an odd length"));
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&digits[i..i + 2], 16).map_err(|_| format!("bad hex {digits:?}"))
        })
        .collect()
}

/// A byte string of the vector format: text, `{"hex"}` or `{"repeat"}`.
fn bytes(value: &Value) -> Result<Vec<u8>> {
    match value {
        Value::String(s) => Ok(s.as_bytes().to_vec()),
        Value::Object(map) if map.contains_key("hex") => {
            known(map, &["hex"])?;
            from_hex(map["hex"].as_str().ok_or("hex must be a string")?)
        }
        Value::Object(map) if map.contains_key("repeat") => {
            known(map, &["repeat", "times", "prefix", "suffix"])?;
            let text = |key: &str| map.get(key).and_then(Value::as_str).unwrap_or("");
            let times = map
                .get("times")
                .and_then(Value::as_u64)
                .ok_or("repeat needs times")?;
            let mut out = text("prefix").as_bytes().to_vec();
            out.extend(text("repeat").as_bytes().repeat(times as usize));
            out.extend(text("suffix").as_bytes());
            Ok(out)
        }
        other => Err(format!("not a byte string: {other}")),
    }
}

fn known(map: &Map<String, Value>, keys: &[&str]) -> Result<()> {
    match map.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(k) => Err(format!("unknown key {k:?}")),
        None => Ok(()),
    }
}

fn flag(value: &Value) -> Result<&'static str> {
    match value.as_bool() {
        Some(true) => Ok("1"),
        Some(false) => Ok("0"),
        None => Err(format!("expected a bool, got {value}")),
    }
}

fn text(value: &Value) -> Result<&str> {
    value
        .as_str()
        .ok_or_else(|| format!("expected a string, got {value}"))
}

/// The case's policy document as the loader gets it: an object as its JSON
/// text (keys in the file's order), a string as is.
fn policy(out: &mut String, value: &Value) -> Result<()> {
    let json = match value {
        Value::String(text) => text.as_bytes().to_vec(),
        Value::Object(_) => serde_json::to_vec(value).map_err(|e| e.to_string())?,
        other => {
            return Err(format!(
                "policy: expected an object or a string, got {other}"
            ))
        }
    };
    let _ = writeln!(out, "policy {}", hex(&json));
    Ok(())
}

fn request(out: &mut String, map: &Map<String, Value>) -> Result<()> {
    known(
        map,
        &[
            "method",
            "origin",
            "request_method",
            "request_headers",
            "request_private_network",
            "origin_verdict",
            "path",
        ],
    )?;
    if !map.contains_key("method") {
        return Err("request without method".into());
    }
    for (key, value) in map {
        if key == "origin_verdict" {
            let _ = writeln!(out, "req origin_verdict {}", flag(value)?);
        } else {
            let _ = writeln!(out, "req {key} {}", hex(&bytes(value)?));
        }
    }
    Ok(())
}

fn expect(out: &mut String, map: &Map<String, Value>) -> Result<()> {
    known(
        map,
        &[
            "kind",
            "outcome",
            "reason",
            "reason_detail",
            "failures",
            "action",
            "status",
            "headers",
            "body",
            "policy",
        ],
    )?;
    for (key, value) in map {
        match key.as_str() {
            "policy" => {
                let policy = if value.is_null() {
                    "none".to_string()
                } else {
                    hex(text(value)?.as_bytes())
                };
                let _ = writeln!(out, "exp policy {policy}");
            }
            "kind" | "outcome" | "action" => {
                let _ = writeln!(out, "exp {key} {}", text(value)?);
            }
            "reason" => {
                let reason = if value.is_null() {
                    "none"
                } else {
                    text(value)?
                };
                let _ = writeln!(out, "exp reason {reason}");
            }
            "reason_detail" => {
                let _ = writeln!(out, "exp reason_detail {}", hex(&bytes(value)?));
            }
            "failures" => {
                let list = value.as_array().ok_or("failures must be a list")?;
                let names: Vec<&str> = list.iter().map(text).collect::<Result<_>>()?;
                let joined = if names.is_empty() {
                    "-".to_string()
                } else {
                    names.join(",")
                };
                let _ = writeln!(out, "exp failures {joined}");
            }
            "status" => {
                let _ = writeln!(
                    out,
                    "exp status {}",
                    value.as_u64().ok_or("status must be a number")?
                );
            }
            "headers" => {
                let list = value.as_array().ok_or("headers must be a list")?;
                let _ = writeln!(out, "exp headers {}", list.len());
                for pair in list {
                    let pair = pair
                        .as_array()
                        .filter(|p| p.len() == 2)
                        .ok_or("a header is [name, value]")?;
                    let _ = writeln!(
                        out,
                        "exp header {} {}",
                        text(&pair[0])?,
                        hex(&bytes(&pair[1])?)
                    );
                }
            }
            "body" => {
                let body = if value.is_null() {
                    "none".to_string()
                } else {
                    hex(text(value)?.as_bytes())
                };
                let _ = writeln!(out, "exp body {body}");
            }
            _ => unreachable!("checked by known()"),
        }
    }
    Ok(())
}

fn expect_error(out: &mut String, map: &Map<String, Value>) -> Result<()> {
    known(
        map,
        &["code", "problem", "path", "errors", "message_contains"],
    )?;
    let _ = writeln!(out, "err code {}", text(&map["code"])?);
    if let Some(problem) = map.get("problem") {
        let _ = writeln!(out, "err problem {}", text(problem)?);
    }
    if let Some(path) = map.get("path") {
        let _ = writeln!(out, "err path {}", hex(text(path)?.as_bytes()));
    }
    if let Some(errors) = map.get("errors") {
        let list = errors.as_array().ok_or("errors must be a list")?;
        let _ = writeln!(out, "err errors {}", list.len());
        for error in list {
            let error = error.as_object().ok_or("an error is an object")?;
            known(error, &["code", "path"])?;
            let code = text(error.get("code").ok_or("an error needs a code")?)?;
            let path = text(error.get("path").ok_or("an error needs a path")?)?;
            let _ = writeln!(out, "err error {code} {}", hex(path.as_bytes()));
        }
    }
    for part in map
        .get("message_contains")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let _ = writeln!(out, "err contains {}", hex(text(part)?.as_bytes()));
    }
    Ok(())
}

fn case(out: &mut String, value: &Value) -> Result<()> {
    let map = value.as_object().ok_or("a case is an object")?;
    known(
        map,
        &[
            "name",
            "features",
            "policy",
            "verdict_probes",
            "request",
            "expect",
            "expect_error",
            "expect_findings",
        ],
    )?;
    // The C library is built with every optional core feature the vectors use.
    for feature in map
        .get("features")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if text(feature)? != "psl" {
            return Err(format!("unknown core feature {feature}"));
        }
    }
    let name = map
        .get("name")
        .map(text)
        .transpose()?
        .ok_or("a case needs a name")?;
    let _ = writeln!(out, "case {}", hex(name.as_bytes()));
    let object = |key: &str| {
        map.get(key)
            .map(|v| v.as_object().ok_or(format!("{key} must be an object")))
            .transpose()
    };
    policy(out, map.get("policy").ok_or("a case needs a policy")?)?;
    if let Some(probes) = map.get("verdict_probes") {
        let probes = probes
            .as_u64()
            .filter(|p| *p < 256)
            .ok_or("verdict_probes must be an integer from 0 to 255")?;
        let _ = writeln!(out, "probes {probes}");
    }
    match (
        object("request")?,
        object("expect")?,
        object("expect_error")?,
        map.get("expect_findings"),
    ) {
        (Some(req), Some(exp), None, None) => {
            request(out, req)?;
            expect(out, exp)?;
        }
        (None, None, Some(err), None) => expect_error(out, err)?,
        (None, None, None, Some(findings)) => {
            let list = findings
                .as_array()
                .ok_or("expect_findings must be an array")?;
            let _ = writeln!(out, "findings {}", list.len());
            for finding in list {
                let f = finding.as_object().ok_or("a finding is an object")?;
                known(f, &["code", "path"])?;
                let code = text(&f["code"])?;
                let path = text(&f["path"])?;
                let _ = writeln!(out, "finding {code} {}", hex(path.as_bytes()));
            }
        }
        _ => {
            return Err(format!(
                "{name}: needs request and expect, expect_error alone, or expect_findings alone"
            ))
        }
    }
    out.push_str("end\n");
    Ok(())
}

fn convert(dirs: &[String]) -> Result<String> {
    let mut out = String::new();
    for dir in dirs {
        convert_dir(Path::new(dir), &mut out)?;
    }
    Ok(out)
}

fn convert_dir(dir: &Path, out: &mut String) -> Result<()> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no vector files", dir.display()));
    }
    for path in files {
        let name = path.display().to_string();
        let text = fs::read_to_string(&path).map_err(|e| format!("{name}: {e}"))?;
        let file: Value = serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
        let cases = file
            .get("cases")
            .and_then(Value::as_array)
            .ok_or(format!("{name}: no cases"))?;
        for value in cases {
            case(out, value).map_err(|e| format!("{name}: {e}"))?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, dirs @ .., output] = args.as_slice() else {
        eprintln!("usage: vectors_to_lines <vectors dir>... <out file>");
        return ExitCode::from(2);
    };
    if dirs.is_empty() {
        eprintln!("usage: vectors_to_lines <vectors dir>... <out file>");
        return ExitCode::from(2);
    }
    match convert(dirs)
        .and_then(|lines| fs::write(output, lines).map_err(|e| format!("{output}: {e}")))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vectors_to_lines: {e}");
            ExitCode::FAILURE
        }
    }
}
