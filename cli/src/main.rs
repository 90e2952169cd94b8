//! `corsguard`: the command-line tool.
//!
//! - `corsguard lint POLICY.json` loads a policy document with the core's
//!   own loader and prints every error and every finding, each with its
//!   JSON pointer, code, rule and fix. Exit status: 0 when the document is
//!   clean (findings allowed unless `--deny-findings`), 1 when it has
//!   errors (or findings, with `--deny-findings`), 2 on a usage error or a
//!   file that cannot be read.
//! - `corsguard explain POLICY.json --origin O --method M ...` tells what a
//!   browser does with that request against that policy, and the fix.
//! - `corsguard probe URL --origin O ...` sends what a browser would send
//!   to a live server and judges the answers; `--scan` tries lookalike
//!   origins. explain and probe exit 0 when the browser lets the page read
//!   the response, 1 when it blocks it (for `--scan`: when a lookalike is
//!   admitted at high or critical severity), 2 on a usage error, an
//!   unreadable or refused document, or an unreachable server.
//!
//! `--format json` prints the same for machines.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use corsguard::fetch::BrowserRequest;

mod explain;
mod lint;
mod probe;
mod scan;

#[derive(Parser)]
#[command(
    name = "corsguard",
    version,
    about = "Checks CORS policies, explains why a browser blocks a request, and probes live servers",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Prints every error and finding of a policy document, each with its
    /// path, rule and fix. Exits 0 when it is clean, 1 with errors (or
    /// findings, with --deny-findings), 2 when it cannot be read.
    Lint {
        /// The policy document (docs/policy.md); `-` reads standard input.
        policy: PathBuf,
        /// How to print the problems.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit 1 when there are findings (valid but risky), not only errors.
        #[arg(long)]
        deny_findings: bool,
    },
    /// Tells what a browser does with a request against a policy: whether
    /// it sends a preflight and why, what each request carries, what the
    /// policy answers, each check, and the fix in the policy's terms.
    /// Exits 0 when the page can read the response, 1 when the browser
    /// blocks it, 2 when the document is refused or unreadable.
    Explain {
        /// The policy document (docs/policy.md); `-` reads standard input.
        policy: PathBuf,
        #[command(flatten)]
        request: RequestArgs,
        /// The request's path (the document's routes pick the policy by it).
        #[arg(long, default_value = "/")]
        path: String,
        /// The API's URL, for the messages (its path is the default --path).
        #[arg(long)]
        url: Option<String>,
        /// How to print the account.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Sends a live server what a browser would send (the preflight first
    /// when one is needed, then the request), and judges the answers by
    /// the Fetch standard: each check, Chromium's console message, and the
    /// fix on the server's side. Exits 0 when the page can read the
    /// response, 1 when the browser blocks it, 2 when the server cannot be
    /// reached.
    Probe {
        /// The URL the page fetches.
        url: String,
        #[command(flatten)]
        request: RequestArgs,
        /// The request body (for methods other than GET and HEAD).
        #[arg(long)]
        data: Option<String>,
        /// Try the origins that broke other CORS libraries (null,
        /// lookalikes, the http downgrade, a random origin, a sibling
        /// subdomain) and report each one the server admits. Exits 1 when
        /// one is admitted at high or critical severity.
        #[arg(long)]
        scan: bool,
        /// Seconds each request may take.
        #[arg(long, default_value_t = 10)]
        timeout: u64,
        /// How to print the account.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// The page's request: `fetch(url, {method, headers, credentials})` from a
/// page on `origin`.
#[derive(Args)]
struct RequestArgs {
    /// The page's origin (`http://localhost:3000`, or `null`).
    #[arg(long)]
    origin: String,
    /// The method the page's script asks for.
    #[arg(long, default_value = "GET")]
    method: String,
    /// A header the page's script sets, as `Name: value` (repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Credentials mode `include` (cookies go with the request).
    #[arg(long)]
    credentials: bool,
}

impl RequestArgs {
    fn to_request(&self) -> Result<BrowserRequest, String> {
        let mut req = BrowserRequest::new(&self.origin, &self.method);
        for header in &self.headers {
            let Some((name, value)) = header.split_once(':') else {
                return Err(format!("--header `{header}`: write it as `Name: value`"));
            };
            req = req.with_header(name.trim(), value.trim());
        }
        if self.credentials {
            req = req.with_credentials();
        }
        Ok(req)
    }
}

fn print(text: &str) -> bool {
    io::stdout().lock().write_all(text.as_bytes()).is_ok()
}

fn print_json(value: &serde_json::Value) -> bool {
    let mut text = serde_json::to_string_pretty(value).expect("a JSON value serializes");
    text.push('\n');
    print(&text)
}

/// An output format.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Lines for people.
    Text,
    /// One JSON object.
    Json,
}

/// Reads the document, from a file or (for `-`) from standard input.
fn read(path: &PathBuf) -> io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        io::stdin().lock().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(path)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint {
            policy,
            format,
            deny_findings,
        } => {
            let bytes = match read(&policy) {
                Ok(bytes) => bytes,
                Err(error) => {
                    eprintln!("corsguard lint: cannot read {}: {error}", policy.display());
                    return ExitCode::from(2);
                }
            };
            let report = lint::run(&bytes);
            let shown = if policy.as_os_str() == "-" {
                "(standard input)".to_owned()
            } else {
                policy.display().to_string()
            };
            let text = match format {
                Format::Text => report.to_text(&shown),
                Format::Json => report.to_json(&shown),
            };
            if io::stdout().lock().write_all(text.as_bytes()).is_err() {
                return ExitCode::from(2);
            }
            ExitCode::from(report.exit_status(deny_findings))
        }
        Command::Explain {
            policy,
            request,
            path,
            url,
            format,
        } => {
            let req = match request.to_request() {
                Ok(req) => req,
                Err(message) => {
                    eprintln!("corsguard explain: {message}");
                    return ExitCode::from(2);
                }
            };
            let bytes = match read(&policy) {
                Ok(bytes) => bytes,
                Err(error) => {
                    eprintln!(
                        "corsguard explain: cannot read {}: {error}",
                        policy.display()
                    );
                    return ExitCode::from(2);
                }
            };
            let url = match url {
                Some(url) if path == "/" => url,
                Some(url) => format!("{}{path}", url.trim_end_matches('/')),
                None => path,
            };
            let shown = if policy.as_os_str() == "-" {
                "(standard input)".to_owned()
            } else {
                policy.display().to_string()
            };
            let outcome = explain::run(&bytes, &req, &url);
            let printed = match format {
                Format::Text => print(&outcome.to_text(&shown)),
                Format::Json => print_json(&outcome.to_json(&shown)),
            };
            ExitCode::from(if printed { outcome.exit_status() } else { 2 })
        }
        Command::Probe {
            url,
            request,
            data,
            scan,
            timeout,
            format,
        } => {
            let req = match request.to_request() {
                Ok(req) => req,
                Err(message) => {
                    eprintln!("corsguard probe: {message}");
                    return ExitCode::from(2);
                }
            };
            let client = probe::Client::new(std::time::Duration::from_secs(timeout.max(1)));
            if scan {
                let outcomes =
                    match scan::scan(&client, &url, &req.origin, &req.normalized_method()) {
                        Ok(outcomes) => outcomes,
                        Err(probe::Unreachable(message)) => {
                            eprintln!("corsguard probe --scan: cannot reach the server: {message}");
                            return ExitCode::from(2);
                        }
                    };
                let printed = match format {
                    Format::Text => print(&scan::to_text(&url, &req.origin, &outcomes)),
                    Format::Json => print_json(&scan::to_json(&url, &req.origin, &outcomes)),
                };
                return ExitCode::from(if printed {
                    scan::exit_status(&outcomes)
                } else {
                    2
                });
            }
            let judgement =
                match probe::probe(&client, &req, &url, data.as_deref().map(str::as_bytes)) {
                    Ok(judgement) => judgement,
                    Err(probe::Unreachable(message)) => {
                        eprintln!("corsguard probe: cannot reach the server: {message}");
                        return ExitCode::from(2);
                    }
                };
            let printed = match format {
                Format::Text => print(&judgement.to_text()),
                Format::Json => print_json(&judgement.to_json()),
            };
            ExitCode::from(if printed {
                u8::from(!judgement.allowed())
            } else {
                2
            })
        }
    }
}
