//! `corsguard`: the command-line tool.
//!
//! `corsguard lint POLICY.json` loads a policy document with the core's own
//! loader and prints every error and every finding, each with its JSON
//! pointer, code, rule and fix; `--format json` prints the same for
//! machines. Exit status: 0 when the document is clean (findings allowed
//! unless `--deny-findings`), 1 when it has errors (or findings, with
//! `--deny-findings`), 2 on a usage error or a file that cannot be read.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod lint;

#[derive(Parser)]
#[command(
    name = "corsguard",
    version,
    about = "Checks CORS policy documents, by the rules every corsguard runtime applies",
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
    }
}
