//! `kairos google-auth`: the installed-app consent flow that gives Kairos a refresh
//! token for the host's Google account. The host opens the consent page printed;
//! Google sends the browser back to a one-time listener on 127.0.0.1 with a code,
//! which is traded (with the PKCE verifier) at the client's token URI for a refresh
//! token; the result is written as an authorized-user JSON file, readable only by its
//! owner, for `google.credentials_file`.
//!
//! Must not know: the store, or the rest of the configuration.

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpListener;

/// The scope asked for: read and write the host's calendars.
const SCOPE: &str = "https://www.googleapis.com/auth/calendar";

/// How long the host has to give consent.
const CONSENT_TIMEOUT: Duration = Duration::from_secs(600);

/// An installed app's OAuth client, from the JSON Google Cloud gives for it.
struct OAuthClient {
    client_id: String,
    client_secret: String,
    auth_uri: String,
    token_uri: String,
}

fn read_client(text: &str) -> anyhow::Result<OAuthClient> {
    let json: Value = serde_json::from_str(text)?;
    let app = json
        .get("installed")
        .or_else(|| json.get("web"))
        .ok_or_else(|| anyhow::anyhow!("not an OAuth client file: no \"installed\" section"))?;
    let field = |name: &str| {
        app.get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| anyhow::anyhow!("the OAuth client file has no {name}"))
    };
    Ok(OAuthClient {
        client_id: field("client_id")?,
        client_secret: field("client_secret")?,
        auth_uri: field("auth_uri")?,
        token_uri: field("token_uri")?,
    })
}

/// Runs the flow with the OAuth client in `client_file`, telling the host what to do
/// through `say`; writes the authorized-user JSON to `out`.
pub async fn run(client_file: &Path, out: &Path, say: &mut dyn FnMut(&str)) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(client_file)
        .map_err(|e| anyhow::anyhow!("{}: {e}", client_file.display()))?;
    let client = read_client(&text)?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let redirect = format!("http://{}/", listener.local_addr()?);
    let verifier = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let challenge = URL_SAFE_NO_PAD
        .encode(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()).as_ref());
    let state = format!("{:032x}", rand::random::<u128>());
    let consent = url::Url::parse_with_params(
        &client.auth_uri,
        &[
            ("client_id", client.client_id.as_str()),
            ("redirect_uri", redirect.as_str()),
            ("response_type", "code"),
            ("scope", SCOPE),
            ("access_type", "offline"),
            ("prompt", "consent"),
            ("state", state.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )?;
    say(&format!(
        "Open this page, sign in as the host and allow access to her calendars:\n\n  {consent}\n"
    ));
    let code = tokio::time::timeout(CONSENT_TIMEOUT, receive_code(&listener, &state))
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "no consent within {} minutes",
                CONSENT_TIMEOUT.as_secs() / 60
            )
        })??;
    let refresh_token = exchange(&client, &code, &redirect, &verifier).await?;
    let credentials = json!({
        "type": "authorized_user",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "refresh_token": refresh_token,
    });
    write_private(out, &format!("{credentials:#}\n"))?;
    say(&format!(
        "Saved to {}. In the configuration:\n\n  google:\n    enabled: true\n    credentials_file: \"{}\"\n",
        out.display(),
        out.display()
    ));
    Ok(())
}

/// The code Google's redirect brings to `listener`, when its state is `state`.
async fn receive_code(listener: &TcpListener, state: &str) -> anyhow::Result<String> {
    loop {
        let (stream, _) = listener.accept().await?;
        let (read, mut write) = stream.into_split();
        let mut request_line = String::new();
        BufReader::new(read).read_line(&mut request_line).await?;
        let target = request_line.split_whitespace().nth(1).unwrap_or("/");
        let query = target.split_once('?').map_or("", |(_, query)| query);
        let params: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
        let (status, page, outcome) = match (params.get("code"), params.get("error")) {
            (Some(code), _) if params.get("state").map(String::as_str) == Some(state) => (
                "200 OK",
                "Kairos has access to the calendar. You can close this window.",
                Some(Ok(code.clone())),
            ),
            (_, Some(error)) => (
                "400 Bad Request",
                "Access was not given. You can close this window.",
                Some(Err(anyhow::anyhow!("Google answered: {error}"))),
            ),
            _ => ("404 Not Found", "Not the page Kairos is waiting for.", None),
        };
        let body = format!("<!DOCTYPE html><title>Kairos</title><p>{page}</p>\n");
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        write.write_all(response.as_bytes()).await?;
        write.shutdown().await.ok();
        if let Some(outcome) = outcome {
            return outcome;
        }
    }
}

/// Trades `code` for a refresh token at the client's token URI.
async fn exchange(
    client: &OAuthClient,
    code: &str,
    redirect: &str,
    verifier: &str,
) -> anyhow::Result<String> {
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .build();
    let http: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("client_id", &client.client_id)
        .append_pair("client_secret", &client.client_secret)
        .append_pair("redirect_uri", redirect)
        .append_pair("code_verifier", verifier)
        .finish();
    let request = hyper::Request::post(&client.token_uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(form)))?;
    let response = http.request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        anyhow::bail!(
            "the token endpoint answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let granted: Value = serde_json::from_slice(&body)?;
    granted
        .get("refresh_token")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("Google gave no refresh token (was consent given again?)"))
}

/// Writes `text` to `path`, readable and writable by its owner only, replacing it
/// whole (written beside it, then renamed).
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let partial = path.with_extension("partial");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&partial)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&partial, path)?;
    Ok(())
}
