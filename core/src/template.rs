//! Answer templates: the behaviour's header orders, compiled once per policy.
//!
//! Which headers an answer lists, and which of their values are the
//! policy's own, depends only on the policy and on a few facts about the
//! request: preflight or not, answered as allowed or not, `OPTIONS` or not.
//! Construction walks each order once for each combination and keeps, per
//! position, either the stored value or a marker for the one thing the
//! request supplies (its origin, its mirrored request headers, whether
//! Private Network Access was granted). Evaluating a request then picks a
//! template and copies it.

use heapless::Vec;

use crate::config::{HeadersSlot, OriginSlot, Slot, VaryStyle};
use crate::decision::{Header, HeaderName};
use crate::policy::{HeaderMode, Policy, Span, MAX_DECISION_HEADERS};

/// Where the value of one templated header comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// A value of the policy's byte arena.
    Stored(Span),
    /// `true`.
    True,
    /// The `Vary` token `Origin`.
    VaryOrigin,
    /// The `Vary` token `Access-Control-Request-Headers`.
    VaryRequestHeaders,
    /// The `Access-Control-Allow-Origin` value the request gets.
    Origin,
    /// The request's own `Access-Control-Request-Headers`.
    Mirrored,
    /// `true`, when Private Network Access is granted to this request.
    PrivateNetwork,
}

/// One position of a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) name: HeaderName,
    pub(crate) source: Source,
}

/// The headers of one kind of answer, in order.
pub(crate) type Template = Vec<Entry, MAX_DECISION_HEADERS>;

/// The templates of a policy, one per kind of answer.
#[derive(Clone, Debug)]
pub(crate) struct Templates {
    /// A preflight answered as allowed.
    pub preflight: Template,
    /// A preflight answered as refused (only what the profile keeps).
    pub preflight_refused: Template,
    /// An actual request that gets its headers, not `OPTIONS`.
    pub actual: Template,
    /// The same for an `OPTIONS` request that is not a preflight.
    pub actual_options: Template,
    /// An actual request that gets no CORS headers (only `Vary`).
    pub actual_refused: Template,
}

/// Which of the five templates filled a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TemplateKind {
    Preflight,
    PreflightRefused,
    Actual,
    ActualOptions,
    ActualRefused,
}

impl TemplateKind {
    /// Every kind, in the order of [`TemplateKind::index`].
    #[cfg(feature = "http")]
    pub(crate) const ALL: [TemplateKind; 5] = [
        TemplateKind::Preflight,
        TemplateKind::PreflightRefused,
        TemplateKind::Actual,
        TemplateKind::ActualOptions,
        TemplateKind::ActualRefused,
    ];

    /// The kind's position in [`TemplateKind::ALL`].
    #[cfg(feature = "http")]
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl Templates {
    /// The template of `kind`.
    pub(crate) fn get(&self, kind: TemplateKind) -> &Template {
        match kind {
            TemplateKind::Preflight => &self.preflight,
            TemplateKind::PreflightRefused => &self.preflight_refused,
            TemplateKind::Actual => &self.actual,
            TemplateKind::ActualOptions => &self.actual_options,
            TemplateKind::ActualRefused => &self.actual_refused,
        }
    }

    pub(crate) const fn new() -> Self {
        Templates {
            preflight: Vec::new(),
            preflight_refused: Vec::new(),
            actual: Vec::new(),
            actual_options: Vec::new(),
            actual_refused: Vec::new(),
        }
    }
}

/// What the request supplies to a template.
#[derive(Clone, Copy)]
pub(crate) struct Dynamic<'a> {
    pub origin: Option<&'a [u8]>,
    pub mirrored: Option<&'a [u8]>,
    pub private_network: bool,
}

/// Which answer a template is compiled for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Preflight { send_all: bool },
    Actual { send: bool, options: bool },
}

fn name_of(slot: Slot) -> HeaderName {
    match slot {
        Slot::AllowOrigin(_) => HeaderName::AllowOrigin,
        Slot::AllowCredentials => HeaderName::AllowCredentials,
        Slot::AllowMethods => HeaderName::AllowMethods,
        Slot::AllowHeaders(_) => HeaderName::AllowHeaders,
        Slot::MaxAge => HeaderName::MaxAge,
        Slot::ExposeHeaders => HeaderName::ExposeHeaders,
        Slot::AllowPrivateNetwork => HeaderName::AllowPrivateNetwork,
        Slot::Vary | Slot::VaryOrigin | Slot::VaryRequestHeaders => HeaderName::Vary,
    }
}

impl<const ORIGINS: usize, const NAMES: usize, const BYTES: usize> Policy<ORIGINS, NAMES, BYTES> {
    /// Compiles the five templates from the behaviour's orders; called last
    /// in construction, when every stored value is known.
    pub(crate) fn compile_templates(&mut self) {
        let b = self.behaviour;
        let preflight = |send_all| Answer::Preflight { send_all };
        let actual = |send, options| Answer::Actual { send, options };
        self.templates.preflight = self.compile(b.preflight_order, preflight(true));
        self.templates.preflight_refused = self.compile(b.preflight_order, preflight(false));
        self.templates.actual = self.compile(b.actual_order, actual(true, false));
        self.templates.actual_options = self.compile(b.actual_order, actual(true, true));
        self.templates.actual_refused = self.compile(b.actual_order, actual(false, false));
    }

    fn compile(&self, order: &[Slot], answer: Answer) -> Template {
        let preflight = matches!(answer, Answer::Preflight { .. });
        let send = match answer {
            Answer::Preflight { send_all } => send_all,
            Answer::Actual { send, .. } => send,
        };
        let options = matches!(answer, Answer::Actual { options: true, .. });
        let mirror = self.header_mode == HeaderMode::Mirror;
        let stored = |span: Option<Span>| span.map(Source::Stored);
        let mut template = Template::new();
        for &slot in order {
            let source = match slot {
                Slot::Vary if preflight => stored(self.vary_preflight),
                Slot::Vary => stored(self.vary_actual),
                Slot::VaryOrigin => self.vary_origin_token().map(|_| Source::VaryOrigin),
                Slot::VaryRequestHeaders => (preflight
                    && mirror
                    && matches!(
                        self.behaviour.vary,
                        VaryStyle::CorsNpm | VaryStyle::ListedOrigins
                    ))
                .then_some(Source::VaryRequestHeaders),
                _ if !send => None,
                Slot::AllowOrigin(which) => self.keeps_origin(which).then_some(Source::Origin),
                Slot::AllowCredentials => self.credentials.then_some(Source::True),
                Slot::AllowMethods if preflight || options => stored(self.allow_methods),
                Slot::AllowHeaders(which) if preflight => {
                    let listed = stored(self.allow_headers);
                    let mirrored = mirror.then_some(Source::Mirrored);
                    match which {
                        HeadersSlot::Always => listed.or(mirrored),
                        HeadersSlot::Listed => listed,
                        HeadersSlot::Mirrored => mirrored,
                    }
                }
                Slot::AllowHeaders(_) if options => stored(self.allow_headers),
                Slot::MaxAge if preflight || options => stored(self.max_age),
                Slot::AllowMethods | Slot::AllowHeaders(_) | Slot::MaxAge => None,
                Slot::ExposeHeaders => stored(self.expose_headers),
                Slot::AllowPrivateNetwork => self.private_network.then_some(Source::PrivateNetwork),
            };
            let Some(source) = source else { continue };
            if let Source::Stored(span) = source {
                if span.is_empty() && !self.behaviour.empty_values_sent {
                    continue;
                }
            }
            // The order's length is checked against the capacity when the
            // behaviour is built, so this never fills.
            let _ = template.push(Entry {
                name: name_of(slot),
                source,
            });
        }
        template
    }

    /// Whether an `Access-Control-Allow-Origin` slot of this kind is kept
    /// for this policy.
    pub(crate) fn keeps_origin(&self, which: OriginSlot) -> bool {
        match which {
            OriginSlot::Always => true,
            OriginSlot::AnyPolicy => self.any_origin,
            OriginSlot::ListedPolicy => !self.any_origin,
            OriginSlot::Constant => !self.reflects_origin(),
            OriginSlot::Reflected => self.reflects_origin(),
        }
    }

    /// Appends the headers of the template of `kind` to `headers`, with
    /// the values the request supplies (an entry whose value is missing is
    /// left out).
    pub(crate) fn fill_template<'a>(
        &'a self,
        kind: TemplateKind,
        dynamic: Dynamic<'a>,
        headers: &mut Vec<Header<'a>, MAX_DECISION_HEADERS>,
    ) {
        let empty_sent = self.behaviour.empty_values_sent;
        let present = |v: Option<&'a [u8]>| v.filter(|v| empty_sent || !v.is_empty());
        for entry in self.templates.get(kind) {
            let value: &'a [u8] = match entry.source {
                Source::Stored(span) => self.get(span),
                Source::True => b"true",
                Source::VaryOrigin => b"Origin",
                Source::VaryRequestHeaders => b"Access-Control-Request-Headers",
                Source::Origin => match present(dynamic.origin) {
                    Some(v) => v,
                    None => continue,
                },
                Source::Mirrored => match present(dynamic.mirrored) {
                    Some(v) => v,
                    None => continue,
                },
                Source::PrivateNetwork if dynamic.private_network => b"true",
                Source::PrivateNetwork => continue,
            };
            // Every value is precomputed from a validated configuration, or
            // a request value that matched a validated entry or passed
            // `is_safe_value` before it got here; the property tests hold
            // this.
            debug_assert!(crate::headers::is_safe_value(value));
            // A template is never longer than the capacity.
            let _ = headers.push(Header {
                name: entry.name,
                value,
            });
        }
    }
}
