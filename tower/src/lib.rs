//! # corsguard-tower
//!
//! A [tower](https://docs.rs/tower) [`Layer`] that answers CORS for axum,
//! hyper or any `tower::Service` over `http` types, from one corsguard
//! policy document (the format every corsguard runtime loads:
//! `docs/policy.md` in the repository).
//!
//! ```
//! use axum::{routing::get, Router};
//! use corsguard_tower::CorsLayer;
//!
//! let cors = CorsLayer::from_json(br#"{"version": 1,
//!     "allowOrigins": ["https://app.example.com"], "allowCredentials": true}"#)?;
//! let app: Router = Router::new().route("/api", get(|| async { "hello" })).layer(cors);
//! # let _ = app;
//! # Ok::<(), corsguard::DocumentErrors>(())
//! ```
//!
//! What the layer does, per request:
//! - it judges the request with the policy the document's `routes` pick for
//!   its path (a document without routes serves every path with its one
//!   policy; a path no route serves gets no CORS headers);
//! - it answers a preflight itself, with the policy's status, headers and
//!   body, without calling the inner service (unless the policy says to pass
//!   preflights on: `preflightContinue`);
//! - otherwise it calls the inner service and sets the CORS headers on its
//!   response, whatever its status: a 500 your handler returns carries the
//!   headers the request's origin is entitled to, so the page can read it.
//!   `Vary` is merged into the response's own, never overwritten;
//! - a refused request is passed on as the policy says (a refused actual
//!   request still reaches the inner service, without CORS headers: CORS
//!   protects users, not servers), and reported: a `tracing` event at
//!   `debug` level with target `corsguard`, and the hook given to
//!   [`CorsLayer::on_refusal`].
//!
//! [`CorsLayer`] is `Clone + Send + Sync`; clones share one policy, which
//! [`CorsLayer::reconfigure`] replaces atomically while requests are served:
//! a request is judged by the policy that was current when it arrived, from
//! its preflight answer to the headers on its response, never by a mix.
//!
//! Panics: with [`CorsLayer::catch_panics`], a panic of the inner service
//! (in `call` or while its future runs) is answered `500 Internal Server
//! Error` with the CORS headers the request's origin is entitled to, so the
//! page can read the error. The panic still goes through the process's panic
//! hook (by default it prints the message and location to stderr, as an
//! uncaught panic does) and is reported as a `tracing` error event (target
//! `corsguard`). Without it, the layer catches nothing: a panic ends the
//! connection, as it would without the layer (or put
//! `tower_http::catch_panic::CatchPanicLayer` inside this layer; its 500 gets
//! the CORS headers too).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

// Compiles and runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use arc_swap::ArcSwap;
use corsguard::capacity::CapacityClass;
use corsguard::http::{Answer, Prebuilt, RequestHeaders};
use corsguard::{DocumentErrors, PolicySet};
use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode, Uri};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

/// The policies of one document, in the smallest capacity class it fits,
/// with the `HeaderValue`s each holds built once (indexed as the document's
/// routes number the policies).
struct Policies {
    sets: Sets,
    prebuilt: Vec<Prebuilt>,
}

/// A document's policy set, in one capacity class.
enum Sets {
    Small(
        PolicySet<
            { CapacityClass::SMALL.origins },
            { CapacityClass::SMALL.names },
            { CapacityClass::SMALL.bytes },
        >,
    ),
    Default(
        PolicySet<
            { CapacityClass::DEFAULT.origins },
            { CapacityClass::DEFAULT.names },
            { CapacityClass::DEFAULT.bytes },
        >,
    ),
    Large(
        PolicySet<
            { CapacityClass::LARGE.origins },
            { CapacityClass::LARGE.names },
            { CapacityClass::LARGE.bytes },
        >,
    ),
}

/// What the look at a request says: its answer, from one evaluation.
struct Verdict {
    /// `Some(status)`: answer now (a preflight).
    respond: Option<u16>,
    /// The body of that answer, when the profile sends one.
    body: Option<&'static str>,
    /// The refusal, when the request was refused.
    refusal: Option<Refusal>,
    /// The CORS headers to write on the service's response (none when no
    /// policy serves the path, or when the layer answers now).
    answer: Option<Answer>,
    /// The headers of the answer given now (a preflight's).
    now: Option<HeaderMap>,
}

/// One refused request, as the refusal hook and the `tracing` event see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// `preflight`, `actual` or `plain_options`.
    pub kind: &'static str,
    /// The request's method.
    pub method: Method,
    /// The request's URI (path and query).
    pub uri: Uri,
    /// The `Origin` header, as text (invalid UTF-8 replaced).
    pub origin: Option<String>,
    /// The reason's stable code (`origin_not_allowed`, `method_not_allowed`, ...).
    pub code: &'static str,
    /// The reason, as a sentence.
    pub reason: String,
}

impl Refusal {
    fn log(&self) {
        tracing::debug!(
            target: "corsguard",
            kind = self.kind,
            method = %self.method,
            uri = %self.uri,
            origin = self.origin.as_deref().unwrap_or(""),
            code = self.code,
            reason = %self.reason,
            "CORS request refused"
        );
    }
}

macro_rules! with_set {
    ($policies:expr, $set:ident => $body:expr) => {
        match $policies {
            Sets::Small($set) => $body,
            Sets::Default($set) => $body,
            Sets::Large($set) => $body,
        }
    };
}

impl Sets {
    fn from_json(document: &[u8]) -> Result<Sets, DocumentErrors> {
        match PolicySet::from_json(document) {
            Ok(set) => return Ok(Sets::Small(set)),
            Err(errors) if !errors.is_capacity() => return Err(errors),
            Err(_) => {}
        }
        match PolicySet::from_json(document) {
            Ok(set) => return Ok(Sets::Default(set)),
            Err(errors) if !errors.is_capacity() => return Err(errors),
            Err(_) => {}
        }
        PolicySet::from_json(document).map(Sets::Large)
    }
}

impl Policies {
    fn from_json(document: &[u8]) -> Result<Policies, DocumentErrors> {
        let sets = Sets::from_json(document)?;
        let prebuilt = with_set!(&sets, set => {
            (0..set.document().policy_names().count())
                .map(|i| set.policy(i).map(Prebuilt::new).unwrap_or_default())
                .collect()
        });
        Ok(Policies { sets, prebuilt })
    }

    /// Judges the request and takes its CORS headers (none
    /// when no policy serves the path). The decision borrows from the
    /// request, so everything the response needs later is taken now: the
    /// headers, as owned `HeaderValue`s, and how to merge `Vary`.
    fn verdict<B>(&self, request: &Request<B>) -> Verdict {
        let path = request.uri().path().as_bytes();
        let headers = RequestHeaders::from_request(request);
        let cors = headers.request();
        with_set!(&self.sets, set => {
            let served = set.document().route(path).and_then(|i| Some((i, set.policy(i)?)));
            match served {
                None => Verdict { respond: None, body: None, refusal: None, answer: None, now: None },
                Some((index, policy)) => {
                    let decision = policy.evaluate(&cors);
                    let refusal = decision.reason().map(|reason| Refusal {
                        kind: decision.kind().code(),
                        method: request.method().clone(),
                        uri: request.uri().clone(),
                        origin: headers.origin().map(|o| String::from_utf8_lossy(o).into_owned()),
                        code: reason.code(),
                        reason: reason.to_string(),
                    });
                    let fallback = Prebuilt::default();
                    let prebuilt = self.prebuilt.get(index).unwrap_or(&fallback);
                    let respond = decision.action().status();
                    // An answer given now is written straight into the
                    // response's own map; one for the service's response
                    // is kept as a list until that response exists.
                    let (answer, now) = if respond.is_some() {
                        let mut now = HeaderMap::new();
                        prebuilt.write_for(policy, &decision, &headers, &mut now);
                        (None, Some(now))
                    } else {
                        (Some(prebuilt.answer_for(policy, &decision, &headers)), None)
                    };
                    Verdict { respond, body: decision.body(), refusal, answer, now }
                }
            }
        })
    }
}

/// Sets the headers of `answer` on a response: each CORS header replaces
/// the response's own, and `Vary` is merged into the response's `Vary` by
/// the policy's rule, never overwritten.
fn write_answer(answer: Option<Answer>, response: &mut HeaderMap) {
    if let Some(answer) = answer {
        answer.write_to(response);
    }
}

type Hook = dyn Fn(&Refusal) + Send + Sync;

/// The layer: wraps a service with CORS from one policy document.
#[derive(Clone)]
pub struct CorsLayer {
    policies: Arc<ArcSwap<Policies>>,
    on_refusal: Option<Arc<Hook>>,
    catch_panics: bool,
}

impl std::fmt::Debug for CorsLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CorsLayer")
            .field("on_refusal", &self.on_refusal.is_some())
            .field("catch_panics", &self.catch_panics)
            .finish_non_exhaustive()
    }
}

impl CorsLayer {
    /// A layer serving the policy document `document` (JSON bytes),
    /// validated by the core's loader: every problem of a bad document is
    /// reported at once, each with its path, rule and fix.
    pub fn from_json(document: &[u8]) -> Result<CorsLayer, DocumentErrors> {
        Ok(CorsLayer {
            policies: Arc::new(ArcSwap::from_pointee(Policies::from_json(document)?)),
            on_refusal: None,
            catch_panics: false,
        })
    }

    /// CORS on panics: a panic of the inner service, in `call` or while its
    /// future runs, is answered `500 Internal Server Error` (a plain-text
    /// body) with the CORS headers the request's origin is entitled to, so
    /// the page can read the error instead of a network failure. The panic
    /// is still seen by the process's panic hook (the default one prints it
    /// to stderr) and is reported as a `tracing` error event with target
    /// `corsguard`. Errors the inner service returns (`Err`) are passed on
    /// untouched, and responses it makes, a 500 included, always get the
    /// headers.
    pub fn catch_panics(mut self) -> CorsLayer {
        self.catch_panics = true;
        self
    }

    /// Calls `hook` with every refused request (to log or count refusals).
    /// A hook that panics is caught and reported as a `tracing` error
    /// event; the request is answered as if there were no hook.
    pub fn on_refusal(mut self, hook: impl Fn(&Refusal) + Send + Sync + 'static) -> CorsLayer {
        self.on_refusal = Some(Arc::new(hook));
        self
    }

    /// Replaces the policy of this layer and of every clone of it, atomically:
    /// requests that arrive afterwards are judged by the new document;
    /// requests in flight finish with the old one. A refused document
    /// changes nothing.
    pub fn reconfigure(&self, document: &[u8]) -> Result<(), DocumentErrors> {
        let policies = Policies::from_json(document)?;
        self.policies.store(Arc::new(policies));
        Ok(())
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner,
            layer: self.clone(),
        }
    }
}

/// A service with CORS: see [`CorsLayer`].
#[derive(Clone, Debug)]
pub struct Cors<S> {
    inner: S,
    layer: CorsLayer,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default + From<&'static str>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // One evaluation by one policy answers the whole exchange, even if
        // the policy is replaced meanwhile.
        let verdict = self.layer.policies.load().verdict(&request);
        if let Some(refusal) = &verdict.refusal {
            refusal.log();
            if let Some(hook) = &self.layer.on_refusal {
                if catch_unwind(AssertUnwindSafe(|| hook(refusal))).is_err() {
                    tracing::error!(target: "corsguard", "the refusal hook panicked; the request is answered as without it");
                }
            }
        }
        if let Some(status) = verdict.respond {
            let mut response = Response::new(match verdict.body {
                Some(text) => ResBody::from(text),
                None => ResBody::default(),
            });
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::NO_CONTENT);
            let headers = response.headers_mut();
            if let Some(now) = verdict.now {
                *headers = now;
            }
            if verdict.body.is_some() {
                headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
            }
            return ResponseFuture {
                kind: Kind::Ready {
                    response: Some(response),
                },
            };
        }
        let future = if self.layer.catch_panics {
            let inner = &mut self.inner;
            match catch_unwind(AssertUnwindSafe(move || inner.call(request))) {
                Ok(future) => future,
                Err(panic) => {
                    let mut response = panic_response(&*panic);
                    write_answer(verdict.answer, response.headers_mut());
                    return ResponseFuture {
                        kind: Kind::Ready {
                            response: Some(response),
                        },
                    };
                }
            }
        } else {
            self.inner.call(request)
        };
        ResponseFuture {
            kind: Kind::Inner {
                future,
                catch_panics: self.layer.catch_panics,
                pending: Some(verdict.answer),
            },
        }
    }
}

/// The answer to a request whose service panicked (with `catch_panics`),
/// before its CORS headers: `500` and a plain-text body. The panic is
/// reported as a `tracing` error event.
fn panic_response<B: From<&'static str>>(panic: &(dyn std::any::Any + Send)) -> Response<B> {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(a panic payload that is not a string)");
    tracing::error!(target: "corsguard", panic = message, "the service panicked; answered 500 with the CORS headers");
    let mut response = Response::new(B::from("Internal Server Error"));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

pin_project! {
    /// The response future of [`Cors`].
    pub struct ResponseFuture<F, B> {
        #[pin]
        kind: Kind<F, B>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F, B> {
        Ready { response: Option<Response<B>> },
        Inner {
            #[pin]
            future: F,
            catch_panics: bool,
            pending: Option<Option<Answer>>,
        },
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: From<&'static str>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Ready { response } => Poll::Ready(Ok(response
                .take()
                .expect("a ResponseFuture is not polled after it completed"))),
            KindProj::Inner {
                future,
                catch_panics,
                pending,
            } => {
                let polled = if *catch_panics {
                    // After a panic the future is never polled again: the
                    // exchange ends here with the 500.
                    match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
                        Ok(polled) => polled,
                        Err(panic) => Poll::Ready(Ok(panic_response(&*panic))),
                    }
                } else {
                    future.poll(cx)
                };
                let mut response = match polled {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                    Poll::Ready(Ok(response)) => response,
                };
                if let Some(answer) = pending.take() {
                    write_answer(answer, response.headers_mut());
                }
                Poll::Ready(Ok(response))
            }
        }
    }
}
