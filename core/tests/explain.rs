//! Tests of `corsguard::explain`: a policy document's answers judged by the
//! Fetch model, and the fix in the document's terms.

use corsguard::explain::explain;
use corsguard::fetch::BrowserRequest;

#[test]
fn an_unlisted_origin_is_fixed_by_listing_it() {
    let document = br#"{"version": 1, "allowOrigins": ["http://localhost:3000"]}"#;
    let page = BrowserRequest::new("http://localhost:3001", "GET");
    let account = explain(document, &page, "http://localhost:8080/api").unwrap();
    assert!(!account.judgement.allowed());
    assert_eq!(
        account.fix.as_deref(),
        Some("add `http://localhost:3001` to allowOrigins")
    );
}
