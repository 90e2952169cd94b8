//! The policy document loader: shape errors, every error at once with its
//! path, nearest keys, capacity classes and findings. The conformance
//! vectors (`tests/vectors/`) cover each error code through every runtime;
//! these tests cover what a vector cannot state.
#![cfg(feature = "json")]

use corsguard::capacity::{CapacityClass, DefaultPolicy, LargePolicy, SmallPolicy};
use corsguard::{Document, DocumentErrors, Policy, PolicySet, Request};

fn errors(json: &str) -> Vec<(String, &'static str)> {
    let errors: DocumentErrors = match Document::parse(json.as_bytes()) {
        Err(e) => e,
        Ok(doc) => {
            let mut policy = Box::new(DefaultPolicy::empty());
            doc.build_into(&mut policy)
                .expect_err("the document should be refused")
        }
    };
    errors
        .problems()
        .iter()
        .map(|p| (p.path().to_owned(), p.code()))
        .collect()
}

fn pair(path: &str, code: &'static str) -> (String, &'static str) {
    (path.to_owned(), code)
}

#[test]
fn every_error_of_a_document_is_reported_in_document_order() {
    let got = errors(
        r#"{
            "allowMethods": ["get", "PUT", "PUT"],
            "version": 1,
            "allowOrigins": ["https://a.example/", "https://b.example", "HTTPS://C.EXAMPLE"],
            "allowOrigin": [],
            "maxAge": 100000,
            "allowCredentials": "yes",
            "exposeHeaders": ["Set-Cookie", 7]
        }"#,
    );
    assert_eq!(
        got,
        vec![
            pair("/allowMethods/0", "method_not_normalized"),
            pair("/allowMethods/2", "duplicate"),
            pair("/allowOrigins/0", "malformed_origin"),
            pair("/allowOrigins/2", "malformed_origin"),
            pair("/allowOrigin", "unknown_key"),
            pair("/maxAge", "max_age_out_of_range"),
            pair("/allowCredentials", "wrong_type"),
            pair("/exposeHeaders/0", "forbidden_response_header"),
            pair("/exposeHeaders/1", "wrong_type"),
        ]
    );
}

#[test]
fn the_policy_is_left_empty_after_a_refusal() {
    let doc = Document::parse(
        br#"{"version": 1, "allowOrigins": ["https://a.example", "https://b.example/"]}"#,
    )
    .unwrap();
    let mut policy = Box::new(DefaultPolicy::empty());
    assert!(doc.build_into(&mut policy).is_err());
    // The repaired attempt allowed https://a.example; what is kept must not.
    let decision = policy.evaluate(&Request::new(b"GET").origin(b"https://a.example"));
    assert!(!decision.is_allowed());
}

#[test]
fn no_origins_does_not_hide_the_other_errors() {
    assert_eq!(
        errors(r#"{"version": 1, "allowMethods": ["TRACE"]}"#),
        vec![
            pair("/allowOrigins", "no_origins"),
            pair("/allowMethods/0", "forbidden_method")
        ]
    );
}

#[test]
fn credentials_errors_point_at_the_wildcard_entry() {
    assert_eq!(
        errors(
            r#"{"version": 1, "allowOrigins": ["*"], "allowCredentials": true, "allowHeaders": ["*"]}"#
        ),
        vec![
            pair("/allowOrigins/0", "wildcard_origin_with_credentials"),
            pair("/allowHeaders", "wildcard_with_credentials"),
        ]
    );
    assert_eq!(
        errors(
            r#"{"version": 1, "allowOrigins": ["https://a.example", "null"], "allowCredentials": true}"#
        ),
        vec![pair("/allowOrigins/1", "null_origin_with_credentials")]
    );
}

#[test]
fn syntax_and_root_errors_come_alone() {
    assert_eq!(errors(r#"{"version": 1,"#), vec![pair("", "invalid_json")]);
    assert_eq!(errors(r#"["version", 1]"#), vec![pair("", "wrong_type")]);
    let e = Document::parse(b"{\"version\": 1,\n \"allowOrigins\": [,]}").unwrap_err();
    assert!(e.problems()[0].message().contains("line 2"), "{e}");
}

#[test]
fn an_unknown_version_is_the_only_error() {
    assert_eq!(
        errors(r#"{"version": 2, "allowOrigins": "x", "whatever": 1}"#),
        vec![pair("/version", "unsupported_version")]
    );
    assert_eq!(
        errors(r#"{"allowOrigins": ["https://a.example"]}"#),
        vec![pair("/version", "missing_key")]
    );
}

#[test]
fn a_repeated_key_is_refused() {
    assert_eq!(
        errors(r#"{"version": 1, "allowOrigins": ["https://a.example"], "allowOrigins": []}"#),
        vec![pair("/allowOrigins", "duplicate_key")]
    );
}

#[test]
fn unknown_keys_name_the_nearest_key() {
    for (written, meant) in [
        ("allowOrigin", "allowOrigins"),
        ("allowed_origins", "allowOrigins"),
        ("allow_origins", "allowOrigins"),
        ("AllowCredential", "allowCredentials"),
        ("credentials", "allowCredentials"),
        ("exposed_headers", "exposeHeaders"),
        ("max-age", "maxAge"),
        ("optionsSuccessStatus", "preflightStatus"),
    ] {
        let json =
            format!(r#"{{"version": 1, "allowOrigins": ["https://a.example"], "{written}": 1}}"#);
        let doc = Document::parse(json.as_bytes()).unwrap();
        let e = doc
            .build_into(&mut Box::new(DefaultPolicy::empty()))
            .unwrap_err();
        let p = &e.problems()[0];
        assert_eq!(p.code(), "unknown_key", "{written}");
        assert_eq!(p.path(), format!("/{written}"));
        assert!(
            p.fix().contains(&format!("`{meant}`")),
            "{written}: {}",
            p.message()
        );
    }
    let doc = Document::parse(br#"{"version": 1, "zzzzzzzzzzzzzzzz": 1}"#).unwrap();
    let e = doc
        .build_into(&mut Box::new(DefaultPolicy::empty()))
        .unwrap_err();
    assert!(
        e.problems()[1]
            .message()
            .contains("remove it (the keys are version,"),
        "{e}"
    );
}

#[test]
fn json_pointers_escape_slash_and_tilde() {
    assert_eq!(
        errors(r#"{"version": 1, "allowOrigins": ["https://a.example"], "a/b~c": 1}"#),
        vec![pair("/a~1b~0c", "unknown_key")]
    );
}

#[test]
fn every_problem_has_a_rule_and_a_fix() {
    let doc = Document::parse(
        br#"{"version": 1, "allowOrigins": ["https://a.example/", "https://*.com", "https://A.example"],
             "allowMethods": ["get"], "maxAge": 90000, "preflightStatus": 404, "profile": "express"}"#,
    )
    .unwrap();
    let e = doc
        .build_into(&mut Box::new(DefaultPolicy::empty()))
        .unwrap_err();
    assert_eq!(e.problems().len(), 7, "{e}");
    for p in e.problems() {
        assert!(!p.rule().is_empty() && !p.fix().is_empty(), "{p}");
        assert_eq!(format!("{}; {}", p.rule(), p.fix()), p.message());
    }
}

#[test]
fn the_smallest_class_that_fits_is_chosen() {
    let small =
        Document::parse(br#"{"version": 1, "allowOrigins": ["https://a.example"]}"#).unwrap();
    assert_eq!(small.capacity_class(), CapacityClass::SMALL);
    let origins: Vec<String> = (0..300)
        .map(|i| format!("\"https://o{i}.example\""))
        .collect();
    let json = format!(
        r#"{{"version": 1, "allowOrigins": [{}]}}"#,
        origins.join(",")
    );
    let large = Document::parse(json.as_bytes()).unwrap();
    assert_eq!(large.capacity_class(), CapacityClass::LARGE);
    assert!(large
        .build_into(&mut Box::new(LargePolicy::empty()))
        .is_ok());
    let e = large
        .build_into(&mut Box::new(DefaultPolicy::empty()))
        .unwrap_err();
    assert!(e.is_capacity(), "{e}");
    assert_eq!(e.problems()[0].path(), "/allowOrigins");
    assert!(e.problems()[0].message().contains("`default` class"), "{e}");
    assert_eq!(CapacityClass::SMALL.larger(), Some(CapacityClass::DEFAULT));
    assert_eq!(CapacityClass::LARGE.larger(), None);
}

#[test]
fn the_estimate_is_an_upper_bound_of_what_building_takes() {
    let doc = Document::parse(
        br#"{"version": 1, "profile": "starlette", "allowOrigins": ["https://a.example", "https://b.example"],
             "allowMethods": ["GET", "PUT"], "allowHeaders": ["x-a", "x-b"], "exposeHeaders": ["x-c"], "maxAge": "600"}"#,
    )
    .unwrap();
    let needs = doc.needs();
    let mut policy = SmallPolicy::empty();
    doc.build_into(&mut policy).unwrap();
    assert!(
        policy.bytes_used() <= needs.bytes,
        "{} > {}",
        policy.bytes_used(),
        needs.bytes
    );
    assert!(policy.origins_used() <= needs.origins);
}

#[test]
fn findings_of_a_compatibility_document_have_paths() {
    let doc = Document::parse(
        br#"{"version": 1, "profile": "cors_npm", "fixedOrigin": "https://app.example.com/",
             "allowMethods": ["get,PUT"], "maxAge": "1000000000"}"#,
    )
    .unwrap();
    let found: Vec<(String, &str)> = doc
        .findings()
        .iter()
        .map(|p| (p.path().to_owned(), p.code()))
        .collect();
    assert_eq!(
        found,
        vec![
            pair("/fixedOrigin", "malformed_origin"),
            pair("/allowMethods/0", "method_not_normalized"),
            pair("/maxAge", "max_age_out_of_range"),
        ]
    );
    let strict =
        Document::parse(br#"{"version": 1, "allowOrigins": ["https://a.example"]}"#).unwrap();
    assert!(strict.findings().is_empty());
}

#[test]
fn from_json_loads_a_policy_by_value() {
    let policy: Policy<16, 16, 1024> = Policy::from_json(
        br#"{"version": 1, "allowOrigins": ["https://app.example.com"], "allowMethods": ["*"], "maxAge": 600}"#,
    )
    .unwrap();
    let d = policy.evaluate(
        &Request::new(b"OPTIONS")
            .origin(b"https://app.example.com")
            .request_method(b"PATCH"),
    );
    assert!(d.is_allowed());
    assert_eq!(
        d.header(corsguard::HeaderName::AllowMethods),
        Some(&b"*"[..])
    );
}

/// The schema editors use and the reference users read must describe the
/// keys the loader reads, no more and no fewer.
#[test]
fn the_schema_and_the_reference_list_every_key_the_loader_reads() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("policy.schema.json")).unwrap())
            .unwrap();
    let properties: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(properties, corsguard::document::DOCUMENT_KEYS);
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["required"], serde_json::json!(["version"]));
    assert_eq!(schema["properties"]["version"]["const"], 1);
    let profiles: Vec<&str> = corsguard::Behaviour::PROFILES
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(
        schema["properties"]["profile"]["enum"],
        serde_json::json!(profiles)
    );
    let detections: Vec<&str> = corsguard::compat::PreflightDetection::NAMES
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(
        schema["properties"]["preflightDetection"]["enum"],
        serde_json::json!(detections)
    );
    let reference = std::fs::read_to_string(root.join("docs/policy.md")).unwrap();
    for key in corsguard::document::DOCUMENT_KEYS {
        assert!(
            reference.contains(&format!("### `{key}`")),
            "docs/policy.md has no section for `{key}`"
        );
    }
}

const ROUTED: &[u8] = br#"{
    "version": 1,
    "allowMethods": ["GET", "PUT"],
    "policies": {
        "public": {"allowOrigins": ["*"]},
        "admin": {"allowOrigins": ["https://admin.example.com"], "allowCredentials": true}
    },
    "routes": [
        {"path": "/admin/**", "policy": "admin"},
        {"path": "/internal/**", "policy": null},
        {"path": "/**", "policy": "public"}
    ]
}"#;

#[test]
fn a_routed_document_serves_each_path_with_its_policy() {
    let set: PolicySet = PolicySet::from_json(ROUTED).unwrap();
    let doc = set.document();
    assert_eq!(doc.policy_names().collect::<Vec<_>>(), ["public", "admin"]);
    assert_eq!(doc.route(b"/admin/users"), Some(1));
    assert_eq!(doc.route(b"/internal/metrics"), None);
    assert_eq!(doc.route(b"/anything"), Some(0));
    let admin = Request::new(b"GET").origin(b"https://admin.example.com");
    let decision = set.evaluate(b"/admin/users?page=2", &admin).unwrap();
    assert_eq!(
        decision.header(corsguard::HeaderName::AllowCredentials),
        Some(&b"true"[..])
    );
    let decision = set.evaluate(b"/x", &admin).unwrap();
    assert_eq!(
        decision.header(corsguard::HeaderName::AllowOrigin),
        Some(&b"*"[..])
    );
    assert!(set.evaluate(b"/internal/x", &admin).is_none());
}

#[test]
fn a_routed_document_is_not_one_policy() {
    let doc = Document::parse(ROUTED).unwrap();
    let e = doc
        .build_into(&mut Box::new(DefaultPolicy::empty()))
        .unwrap_err();
    assert_eq!(e.problems()[0].code(), "routes_need_build_all");
}

#[test]
fn findings_of_inherited_values_are_reported_once() {
    let doc = Document::parse(
        br#"{"version": 1, "maxAge": 86400,
             "policies": {"a": {"allowOrigins": ["https://a.example"]}, "b": {"allowOrigins": ["null"]}},
             "routes": [{"path": "/a/**", "policy": "a"}, {"path": "/**", "policy": "b"}]}"#,
    )
    .unwrap();
    let found: Vec<(String, &str)> = doc
        .findings()
        .iter()
        .map(|p| (p.path().to_owned(), p.code()))
        .collect();
    assert_eq!(
        found,
        vec![
            pair("/maxAge", "max_age_above_chromium_cap"),
            pair("/policies/b/allowOrigins/0", "null_origin"),
        ]
    );
}

#[test]
fn every_policy_of_a_routed_document_gets_its_own_class() {
    let origins: Vec<String> = (0..300)
        .map(|i| format!("\"https://o{i}.example\""))
        .collect();
    let json = format!(
        r#"{{"version": 1, "policies": {{"big": {{"allowOrigins": [{}]}}, "small": {{"allowOrigins": ["https://a.example"]}}}},
            "routes": [{{"path": "/big/**", "policy": "big"}}, {{"path": "/**", "policy": "small"}}]}}"#,
        origins.join(",")
    );
    struct Classes(Vec<CapacityClass>, Vec<Box<LargePolicy>>);
    impl corsguard::document::PolicySlots for Classes {
        fn slot(
            &mut self,
            index: usize,
            class: CapacityClass,
        ) -> &mut dyn corsguard::document::Rebuild {
            self.0.push(class);
            while self.1.len() <= index {
                self.1.push(Box::new(LargePolicy::empty()));
            }
            &mut *self.1[index]
        }
    }
    let doc = Document::parse(json.as_bytes()).unwrap();
    let mut slots = Classes(Vec::new(), Vec::new());
    doc.build_all(&mut slots).unwrap();
    assert_eq!(slots.0, [CapacityClass::LARGE, CapacityClass::SMALL]);
}

/// Every policy document under `examples/` loads (what builds leave there,
/// npm's manifests, `node_modules`, cargo's `target`, is not a document).
#[test]
fn every_example_policy_document_loads() {
    fn documents(dir: &std::path::Path, depth: usize, found: &mut Vec<std::path::PathBuf>) {
        assert!(depth < 8, "examples/ nests too deep at {}", dir.display());
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "node_modules" && name != "target" && !name.starts_with('.') {
                    documents(&path, depth + 1, found);
                }
            } else if name.ends_with(".json")
                && name != "package.json"
                && name != "package-lock.json"
            {
                found.push(path);
            }
        }
    }
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut found = Vec::new();
    documents(&examples, 0, &mut found);
    assert!(
        found.iter().any(|p| p.ends_with("demo/policy.json")),
        "{found:?}"
    );
    for path in found {
        let json = std::fs::read(&path).unwrap();
        if let Err(e) = PolicySet::<256, 64, 16384>::from_json(&json) {
            panic!("{}: {e}", path.display());
        }
    }
}

#[test]
fn preflight_detection_overrides_the_profile_and_is_inherited() {
    use corsguard::{Action, RequestKind};
    let set: PolicySet<16, 16, 2048> = PolicySet::from_json(
        br#"{
            "version": 1,
            "profile": "fastify_cors",
            "fixedOrigin": "*",
            "preflightDetection": "never",
            "policies": {"loose": {"preflightDetection": "anyOptions"}, "inherits": {}},
            "routes": [
                {"path": "/loose", "policy": "loose"},
                {"path": "/inherits", "policy": "inherits"},
                {"path": "/**", "policy": "default"}
            ]
        }"#,
    )
    .unwrap();
    let options = Request::new(b"OPTIONS").origin(b"https://a.example");
    let kinds: Vec<RequestKind> = ["/loose", "/inherits", "/other"]
        .iter()
        .map(|p| set.evaluate(p.as_bytes(), &options).unwrap().kind())
        .collect();
    assert_eq!(
        kinds,
        [
            RequestKind::Preflight,
            RequestKind::PlainOptions,
            RequestKind::PlainOptions
        ]
    );
    let plain = set.evaluate(b"/other", &options).unwrap();
    assert_eq!(plain.action(), Action::Continue);
}

#[test]
fn an_unknown_preflight_detection_is_refused_with_the_values() {
    let errors = Policy::<16, 16, 1024>::from_json(
        br#"{"version": 1, "allowOrigins": ["*"], "preflightDetection": "fetch"}"#,
    )
    .unwrap_err();
    let problem = &errors.problems()[0];
    assert_eq!(
        (problem.path(), problem.code()),
        ("/preflightDetection", "unknown_value")
    );
    assert!(problem
        .message()
        .contains("originAndMethod, anyOptions, refuseIncomplete, requestMethod, never"));
    let errors = Policy::<16, 16, 1024>::from_json(
        br#"{"version": 1, "allowOrigins": ["*"], "preflightDetection": false}"#,
    )
    .unwrap_err();
    assert_eq!(errors.problems()[0].code(), "wrong_type");
}
