//! Reads the demo's policy file (`examples/demo/policy.json`): one JSON object
//! in the conformance vectors' config format (`tests/vectors/README.md`), the
//! file every demo server (Rust, C, Python, Node) loads. A small reader, std
//! only: strings, arrays of strings, booleans and integers.

use corsguard::{AllowedHeaders, Behaviour, Config, ExposedHeaders, MaxAge, Methods, Policy};

/// The policy file's contents, owned; [`PolicyFile::build`] borrows them into a
/// [`Config`] and validates it.
#[derive(Debug, Default)]
pub struct PolicyFile {
    profile: Option<String>,
    allowed_origins: Vec<String>,
    fixed_origin: Option<String>,
    origin_verdict: bool,
    allowed_methods: Option<Names>,
    allowed_headers: Option<Names>,
    exposed_headers: Option<Names>,
    credentials: bool,
    max_age: Option<Age>,
    private_network: bool,
    preflight_continue: bool,
    preflight_status: Option<u16>,
}

#[derive(Debug)]
enum Names {
    List(Vec<String>),
    Keyword(String),
}

#[derive(Debug)]
enum Age {
    Seconds(u32),
    Literal(String),
}

#[derive(Debug)]
enum Json {
    Null,
    Bool(bool),
    Number(u64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn space(&mut self) {
        while matches!(self.text.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn error<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at byte {}", self.at))
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        if self.text.get(self.at) == Some(&byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.eat(byte) {
            Ok(())
        } else {
            self.error(&format!("expected `{}`", byte as char))
        }
    }

    fn keyword(&mut self, word: &str) -> bool {
        if self.text[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > 8 {
            return self.error("nested too deeply");
        }
        self.space();
        match self.text.get(self.at) {
            Some(b'"') => self.string().map(Json::String),
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        self.expect(b',')?;
                    }
                }
                Ok(Json::Array(items))
            }
            Some(b'{') => {
                self.at += 1;
                let mut members = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.space();
                        let key = self.string()?;
                        self.expect(b':')?;
                        members.push((key, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        self.expect(b',')?;
                    }
                }
                Ok(Json::Object(members))
            }
            Some(b'0'..=b'9') => {
                let start = self.at;
                while matches!(self.text.get(self.at), Some(b'0'..=b'9')) {
                    self.at += 1;
                }
                let digits = std::str::from_utf8(&self.text[start..self.at]).unwrap_or("");
                match digits.parse() {
                    Ok(n) => Ok(Json::Number(n)),
                    Err(_) => self.error("a number out of range"),
                }
            }
            _ if self.keyword("true") => Ok(Json::Bool(true)),
            _ if self.keyword("false") => Ok(Json::Bool(false)),
            _ if self.keyword("null") => Ok(Json::Null),
            _ => self.error(
                "expected a JSON value (this reader takes no negative or fractional numbers)",
            ),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let Some(&byte) = self.text.get(self.at) else {
                return self.error("an unterminated string");
            };
            self.at += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let Some(&escape) = self.text.get(self.at) else {
                        return self.error("an unterminated string");
                    };
                    self.at += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self.text.get(self.at..self.at + 4).unwrap_or(b"");
                            let code = std::str::from_utf8(hex)
                                .ok()
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .and_then(char::from_u32);
                            match code {
                                Some(c) if hex.len() == 4 => {
                                    self.at += 4;
                                    c
                                }
                                _ => return self.error("a \\u escape this reader does not take"),
                            }
                        }
                        _ => return self.error("an unknown escape"),
                    };
                    let mut utf8 = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
                0..=0x1f => return self.error("a control character in a string"),
                _ => out.push(byte),
            }
        }
        String::from_utf8(out).or_else(|_| self.error("a string that is not UTF-8"))
    }
}

fn names(key: &str, value: Json, keywords: &[&str]) -> Result<Names, String> {
    match value {
        Json::String(s) if keywords.contains(&s.as_str()) => Ok(Names::Keyword(s)),
        Json::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Json::String(s) => Ok(s),
                _ => Err(format!("`{key}`: expected an array of strings")),
            })
            .collect::<Result<_, _>>()
            .map(Names::List),
        _ => Err(format!(
            "`{key}`: expected an array of strings or one of {keywords:?}"
        )),
    }
}

fn boolean(key: &str, value: Json) -> Result<bool, String> {
    match value {
        Json::Bool(b) => Ok(b),
        _ => Err(format!("`{key}`: expected true or false")),
    }
}

impl PolicyFile {
    /// Reads a policy file's text; the error names the place or the key.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut reader = Reader {
            text: text.as_bytes(),
            at: 0,
        };
        let value = reader.value(0)?;
        reader.space();
        if reader.at != text.len() {
            return reader.error("text after the policy object");
        }
        let Json::Object(members) = value else {
            return Err("expected a JSON object".into());
        };
        let mut file = PolicyFile::default();
        for (key, value) in members {
            match key.as_str() {
                "profile" => match value {
                    Json::String(s) if ["strict", "cors_npm", "starlette"].contains(&s.as_str()) => {
                        file.profile = Some(s)
                    }
                    _ => return Err("`profile`: expected \"strict\", \"cors_npm\" or \"starlette\"".into()),
                },
                "allowed_origins" => match names(&key, value, &[])? {
                    Names::List(list) => file.allowed_origins = list,
                    Names::Keyword(_) => unreachable!("no keywords"),
                },
                "fixed_origin" => match value {
                    Json::String(s) => file.fixed_origin = Some(s),
                    _ => return Err("`fixed_origin`: expected a string".into()),
                },
                "origin_verdict" => file.origin_verdict = boolean(&key, value)?,
                "allowed_methods" => file.allowed_methods = Some(names(&key, value, &["*"])?),
                "allowed_headers" => file.allowed_headers = Some(names(&key, value, &["*", "mirror"])?),
                "exposed_headers" => file.exposed_headers = Some(names(&key, value, &["*"])?),
                "credentials" => file.credentials = boolean(&key, value)?,
                "max_age" => {
                    file.max_age = Some(match value {
                        Json::Number(n) => Age::Seconds(
                            u32::try_from(n).map_err(|_| "`max_age`: out of range".to_string())?,
                        ),
                        Json::String(s) => Age::Literal(s),
                        _ => return Err("`max_age`: expected an integer or a string".into()),
                    })
                }
                "private_network" => file.private_network = boolean(&key, value)?,
                "preflight_continue" => file.preflight_continue = boolean(&key, value)?,
                "preflight_status" => match value {
                    Json::Number(n) if n <= 65535 => file.preflight_status = Some(n as u16),
                    _ => return Err("`preflight_status`: expected an integer from 0 to 65535".into()),
                },
                _ => {
                    return Err(format!(
                        "`{key}`: not an option of the policy file (the conformance vectors' config format)"
                    ))
                }
            }
        }
        Ok(file)
    }

    /// Validates the configuration and builds the policy; a refusal is
    /// `(code, message)` from the core.
    pub fn build<const O: usize, const N: usize, const B: usize>(
        &self,
    ) -> Result<Policy<O, N, B>, (&'static str, String)> {
        fn strs(list: &[String]) -> Vec<&str> {
            list.iter().map(String::as_str).collect()
        }
        fn list_of(names: &Option<Names>) -> Vec<&str> {
            match names {
                Some(Names::List(list)) => strs(list),
                _ => Vec::new(),
            }
        }
        let origins = strs(&self.allowed_origins);
        let (methods, headers, exposed) = (
            list_of(&self.allowed_methods),
            list_of(&self.allowed_headers),
            list_of(&self.exposed_headers),
        );
        let mut config = Config::new()
            .allowed_origins(&origins)
            .origin_verdict(self.origin_verdict)
            .credentials(self.credentials)
            .private_network(self.private_network)
            .preflight_continue(self.preflight_continue);
        config = config.behaviour(match self.profile.as_deref() {
            Some("cors_npm") => Behaviour::CORS_NPM,
            Some("starlette") => Behaviour::STARLETTE,
            _ => Behaviour::STRICT,
        });
        if let Some(origin) = &self.fixed_origin {
            config = config.fixed_origin(origin);
        }
        config = match &self.allowed_methods {
            None => config,
            Some(Names::Keyword(_)) => config.allowed_methods(Methods::Any),
            Some(Names::List(_)) => config.allowed_methods(Methods::List(&methods)),
        };
        config = match &self.allowed_headers {
            None => config,
            Some(Names::Keyword(k)) if k == "mirror" => {
                config.allowed_headers(AllowedHeaders::Mirror)
            }
            Some(Names::Keyword(_)) => config.allowed_headers(AllowedHeaders::Any),
            Some(Names::List(_)) => config.allowed_headers(AllowedHeaders::List(&headers)),
        };
        config = match &self.exposed_headers {
            None => config,
            Some(Names::Keyword(_)) => config.exposed_headers(ExposedHeaders::Any),
            Some(Names::List(_)) => config.exposed_headers(ExposedHeaders::List(&exposed)),
        };
        config = match &self.max_age {
            None => config,
            Some(Age::Seconds(s)) => config.max_age_value(Some(MaxAge::Seconds(*s))),
            Some(Age::Literal(s)) => config.max_age_value(Some(MaxAge::Literal(s))),
        };
        if let Some(status) = self.preflight_status {
            config = config.preflight_status(status);
        }
        Policy::new(&config).map_err(|err| (err.code(), err.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::PolicyFile;

    #[test]
    fn reads_the_demo_policy() {
        let file = PolicyFile::parse(include_str!("../../demo/policy.json")).unwrap();
        assert_eq!(
            file.allowed_origins,
            ["http://localhost:3000", "http://127.0.0.1:3000"]
        );
        assert!(file.credentials);
        file.build::<8, 8, 1024>().unwrap();
    }

    #[test]
    fn refuses_unknown_keys_and_bad_json() {
        assert!(PolicyFile::parse(r#"{"allowed_origin": []}"#)
            .unwrap_err()
            .contains("`allowed_origin`"));
        assert!(PolicyFile::parse(r#"{"allowed_origins": ["#).is_err());
        assert!(PolicyFile::parse(r#"{"credentials": 1}"#).is_err());
        assert!(PolicyFile::parse(r#"{} x"#).is_err());
    }

    #[test]
    fn the_core_refuses_what_it_always_refuses() {
        let file = PolicyFile::parse(r#"{"allowed_origins": ["*"], "credentials": true}"#).unwrap();
        let (code, message) = file.build::<8, 8, 1024>().unwrap_err();
        assert_eq!(code, "wildcard_origin_with_credentials");
        assert!(message.contains("allowed_origins"));
    }
}
