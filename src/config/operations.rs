//! Validation of what an operator sets around the server: `server.tls` (the PEM files
//! of built-in TLS: both or neither), `server.trusted_proxies` (the addresses whose
//! X-Forwarded-For is believed) and `log.format`.
//!
//! Must not know: how TLS is set up or what the log lines say; the files are only
//! named here, read at start-up by the server (whose errors name these keys too).

use std::net::IpAddr;
use std::path::PathBuf;

use ipnet::IpNet;
use serde::Deserialize;

use super::{ConfigError, invalid};

/// `server.tls` as written.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawTls {
    pub(super) cert_file: Option<PathBuf>,
    pub(super) key_file: Option<PathBuf>,
}

/// The PEM files of built-in TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, the server's own certificate first.
    pub cert_file: PathBuf,
    /// Its private key (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per line (for log collectors).
    Json,
}

impl RawTls {
    pub(super) fn validate(self) -> Result<Option<TlsFiles>, ConfigError> {
        match (self.cert_file, self.key_file) {
            (None, None) => Ok(None),
            (Some(cert_file), Some(key_file)) => Ok(Some(TlsFiles {
                cert_file,
                key_file,
            })),
            (Some(_), None) => Err(invalid(
                "server.tls.key_file",
                "is missing: server.tls.cert_file needs its private key",
            )),
            (None, Some(_)) => Err(invalid(
                "server.tls.cert_file",
                "is missing: server.tls.key_file needs its certificate",
            )),
        }
    }
}

/// `server.trusted_proxies`: addresses (`10.0.0.5`, `::1`) or networks (`10.0.0.0/8`).
pub(super) fn trusted_proxies(entries: &[String]) -> Result<Vec<IpNet>, ConfigError> {
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let text = entry.trim();
            text.parse::<IpNet>()
                .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    invalid(
                        format!("server.trusted_proxies[{index}]"),
                        format!("{entry:?} is not an IP address or network (e.g. 10.0.0.0/8)"),
                    )
                })
        })
        .collect()
}

/// `log.format`.
pub(super) fn log_format(value: &str) -> Result<LogFormat, ConfigError> {
    match value {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        other => Err(invalid(
            "log.format",
            format!("{other:?} is not \"text\" or \"json\""),
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, LogFormat, TlsFiles};

    fn load(yaml: &str) -> Result<Config, String> {
        Config::from_yaml("test.yaml", yaml, &|_| None).map_err(|error| error.to_string())
    }

    #[test]
    fn a_bad_log_format_is_an_error_naming_log_format() {
        let error = load("log:\n  format: \"xml\"\n").expect_err("refused");
        assert!(error.starts_with("log.format: \"xml\""), "{error}");
        assert_eq!(load("{}").expect("valid").log_format, LogFormat::Text);
        let json = load("log:\n  format: \"json\"\n").expect("valid");
        assert_eq!(json.log_format, LogFormat::Json);
    }

    #[test]
    fn the_log_format_can_come_from_the_environment() {
        let env = |name: &str| (name == "KAIROS_LOG_FORMAT").then(|| "json".to_string());
        let config = Config::from_yaml("test.yaml", "{}", &env).expect("valid");
        assert_eq!(config.log_format, LogFormat::Json);
        let bad = |name: &str| (name == "KAIROS_LOG_FORMAT").then(|| "yaml".to_string());
        let error = Config::from_yaml("test.yaml", "{}", &bad).expect_err("refused");
        assert!(error.to_string().contains("log.format"), "{error}");
    }

    #[test]
    fn tls_takes_both_files_or_neither() {
        assert_eq!(load("{}").expect("valid").server.tls, None);
        let both = load("server:\n  tls:\n    cert_file: \"c.pem\"\n    key_file: \"k.pem\"\n")
            .expect("valid");
        assert_eq!(
            both.server.tls,
            Some(TlsFiles {
                cert_file: "c.pem".into(),
                key_file: "k.pem".into()
            })
        );
        let no_key = load("server:\n  tls:\n    cert_file: \"c.pem\"\n").expect_err("refused");
        assert!(no_key.starts_with("server.tls.key_file"), "{no_key}");
        let no_cert = load("server:\n  tls:\n    key_file: \"k.pem\"\n").expect_err("refused");
        assert!(no_cert.starts_with("server.tls.cert_file"), "{no_cert}");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let config = load("server:\n  trusted_proxies: [\"127.0.0.1\", \"10.0.0.0/8\", \"::1\"]\n")
            .expect("valid");
        let shown: Vec<String> = config
            .server
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
        let error = load("server:\n  trusted_proxies: [\"10.0.0.1\", \"proxy.local\"]\n")
            .expect_err("refused");
        assert!(error.starts_with("server.trusted_proxies[1]"), "{error}");
    }
}
