//! How accepted connections are spoken to: plain TCP, or TLS with rustls (ring) from a
//! PEM certificate chain and private key, offering HTTP/2 and HTTP/1.1 by ALPN. The
//! handshake runs on the connection's own task, bounded in time, so a client that never
//! finishes it holds only its own connection place, and only for a while.
//!
//! Must not know: the configuration file (the caller names the keys in its errors),
//! routes, or what is served.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

/// Longest a client may take over the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection's byte stream, plain or TLS.
pub(super) trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// Plain TCP or TLS.
#[derive(Clone)]
pub enum Transport {
    /// Bytes as they come (HTTP).
    Plain,
    /// TLS first (HTTPS).
    Tls(TlsAcceptor),
}

/// Which file a TLS set-up problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsFile {
    /// The certificate chain.
    Certificate,
    /// The private key.
    Key,
    /// The two together (a key that is not the certificate's).
    Both,
}

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// Which file.
        file: TlsFile,
        /// Its path.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file holds no PEM certificate.
    #[error("{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")]
    NoCertificate {
        /// Its path.
        path: PathBuf,
    },
    /// The file holds no PEM private key.
    #[error("{path} holds no PEM private key (PKCS#8, PKCS#1 or SEC1)")]
    NoKey {
        /// Its path.
        path: PathBuf,
    },
    /// A PEM section that does not decode.
    #[error("{path}: {message}")]
    BadPem {
        /// Which file.
        file: TlsFile,
        /// Its path.
        path: PathBuf,
        /// The decoder's complaint.
        message: String,
    },
    /// rustls refused the pair (the key is not the certificate's, or unusable).
    #[error("the certificate and key cannot be used together: {0}")]
    Refused(rustls::Error),
}

impl TlsError {
    /// The file the problem is about.
    pub fn file(&self) -> TlsFile {
        match self {
            Self::Read { file, .. } | Self::BadPem { file, .. } => *file,
            Self::NoCertificate { .. } => TlsFile::Certificate,
            Self::NoKey { .. } => TlsFile::Key,
            Self::Refused(_) => TlsFile::Both,
        }
    }
}

impl Transport {
    /// TLS with the certificate chain in `cert_file` and the private key in `key_file`
    /// (PEM), offering HTTP/2 and HTTP/1.1.
    pub fn tls_from_pem_files(cert_file: &Path, key_file: &Path) -> Result<Self, TlsError> {
        let chain = read_chain(cert_file)?;
        let key = read_key(key_file)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Refused)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(TlsError::Refused)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self::Tls(TlsAcceptor::from(Arc::new(config))))
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &'static str {
        match self {
            Self::Plain => "http",
            Self::Tls(_) => "https",
        }
    }

    /// The stream HTTP is spoken over, once TLS (if any) is established.
    pub(super) async fn establish(&self, stream: TcpStream) -> io::Result<Box<dyn Io>> {
        match self {
            Self::Plain => Ok(Box::new(stream)),
            Self::Tls(acceptor) => {
                let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
                match handshake.await {
                    Ok(tls) => Ok(Box::new(tls?)),
                    Err(_) => Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "TLS handshake took too long",
                    )),
                }
            }
        }
    }
}

fn read(file: TlsFile, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        file,
        path: path.to_path_buf(),
        source,
    })
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read(TlsFile::Certificate, path)?;
    let chain = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| TlsError::BadPem {
            file: TlsFile::Certificate,
            path: path.to_path_buf(),
            message: error.to_string(),
        })?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate {
            path: path.to_path_buf(),
        });
    }
    Ok(chain)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = read(TlsFile::Key, path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|error| match error {
        rustls_pki_types::pem::Error::NoItemsFound => TlsError::NoKey {
            path: path.to_path_buf(),
        },
        other => TlsError::BadPem {
            file: TlsFile::Key,
            path: path.to_path_buf(),
            message: other.to_string(),
        },
    })
}
