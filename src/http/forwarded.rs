//! Who the client is behind reverse proxies: X-Forwarded-For is believed only when the
//! connection comes from a configured trusted proxy, and then read from the right (the
//! entries nearest to us, added by proxies we trust) to the first address that is not a
//! trusted proxy — entries further left are whatever the client chose to send.
//!
//! Must not know: what the address is used for (rate limits, logs), or the config file.

use std::net::{IpAddr, SocketAddr};

use hyper::HeaderMap;
use ipnet::IpNet;

/// The client's address for a request that came from `peer` with `headers`: `peer`
/// itself unless it is in `trusted`; else the right-most X-Forwarded-For address that is
/// not in `trusted` (the left-most when all are; the nearest trusted hop when an entry
/// does not read as an address).
pub fn client_address(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |address: &IpAddr| trusted.iter().any(|net| net.contains(address));
    let mut client = peer.ip().to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    // Several X-Forwarded-For fields make one list, in order (RFC 9110 §5.3).
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    for entry in entries.iter().rev() {
        let Some(address) = parse_entry(entry) else {
            return client;
        };
        client = address;
        if !is_trusted(&client) {
            return client;
        }
    }
    client
}

/// One X-Forwarded-For entry: an address, possibly with a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:443`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let address = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inner| inner.parse().ok())
        })?;
    Some(address.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter()
            .map(|net| net.parse().expect("a network"))
            .collect()
    }

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append("x-forwarded-for", value.parse().expect("a header value"));
        }
        map
    }

    #[test]
    fn the_forwarded_address_counts_only_from_a_trusted_proxy() {
        let proxy = nets(&["10.0.0.0/8", "::1/128"]);
        let cases: [(&str, &[&str], &[IpNet], &str); 12] = [
            // No proxies trusted: the header is anyone's to write.
            ("203.0.113.9:5000", &["1.2.3.4"], &[], "203.0.113.9"),
            // Not from a trusted proxy: ignored.
            ("203.0.113.9:5000", &["1.2.3.4"], &proxy, "203.0.113.9"),
            // From a trusted proxy: the address it saw.
            ("10.0.0.2:5000", &["198.51.100.7"], &proxy, "198.51.100.7"),
            // A spoofed entry on the left stays ignored: right-most untrusted wins.
            (
                "10.0.0.2:5000",
                &["6.6.6.6, 198.51.100.7"],
                &proxy,
                "198.51.100.7",
            ),
            // Chains of trusted proxies are walked through.
            (
                "10.0.0.2:5000",
                &["198.51.100.7, 10.1.1.1"],
                &proxy,
                "198.51.100.7",
            ),
            // Several header fields are one list.
            (
                "10.0.0.2:5000",
                &["6.6.6.6", "198.51.100.7, 10.9.9.9"],
                &proxy,
                "198.51.100.7",
            ),
            // Every hop trusted: the first one.
            ("10.0.0.2:5000", &["10.3.3.3, 10.4.4.4"], &proxy, "10.3.3.3"),
            // No header: the proxy itself.
            ("10.0.0.2:5000", &[], &proxy, "10.0.0.2"),
            // Garbage: the nearest trusted hop, never the garbage.
            (
                "10.0.0.2:5000",
                &["198.51.100.7, unknown"],
                &proxy,
                "10.0.0.2",
            ),
            // Ports and brackets are tolerated; IPv6 peers and IPv4-mapped forms work.
            ("[::1]:443", &["[2001:db8::1]:4711"], &proxy, "2001:db8::1"),
            (
                "[::ffff:10.0.0.2]:443",
                &["198.51.100.7:80"],
                &proxy,
                "198.51.100.7",
            ),
            (
                "10.0.0.2:5000",
                &["::ffff:198.51.100.7"],
                &proxy,
                "198.51.100.7",
            ),
        ];
        for (peer, values, trusted, expected) in cases {
            let peer: SocketAddr = peer.parse().expect("a socket address");
            let found = client_address(peer, &headers(values), trusted);
            assert_eq!(found.to_string(), expected, "{peer} {values:?}");
        }
    }
}
