//! The pages in a real browser: Debian's Chromium, headless, driven over the DevTools
//! protocol (chromiumoxide). A whole booking through the steps, a move through the
//! manage link, typed markup shown as text, a booking through the assistant, a screenshot of each step at 375 px and
//! 1280 px under `target/screenshots/`, and the landing page's time to interactive and
//! weight. Ignored by default: it needs Chromium, which `.ci/run` installs.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures_util::StreamExt as _;

use crate::support::TestServer;

fn chromium() -> PathBuf {
    std::env::var_os("KAIROS_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("a screenshot directory");
    dir
}

/// Saves `page` as `<name>-375.png` (a phone) and `<name>-1280.png` (a desktop).
async fn snap(page: &Page, name: &str) {
    for (width, height, mobile) in [(375, 812, true), (1280, 900, false)] {
        page.execute(SetDeviceMetricsOverrideParams::new(
            width, height, 1.0, mobile,
        ))
        .await
        .expect("viewport set");
        page.save_screenshot(
            ScreenshotParams::builder()
                .format(CaptureScreenshotFormat::Png)
                .full_page(true)
                .build(),
            screenshots().join(format!("{name}-{width}.png")),
        )
        .await
        .expect("screenshot saved");
    }
}

/// Clicks the element `selector` names and waits for the page it leads to (its
/// address differs from this one's).
async fn follow(page: &Page, selector: &str) {
    let before = page.url().await.ok().flatten();
    page.find_element(selector)
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .click()
        .await
        .expect("clicked");
    for _ in 0..250 {
        let now = page.url().await.ok().flatten();
        if now.is_some() && now != before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    page.wait_for_navigation().await.expect("navigated");
}

/// The page's HTML, once it has settled (a script may still be moving it on).
async fn text(page: &Page) -> String {
    for _ in 0..100 {
        if let Ok(html) = page.content().await {
            return html;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the page never settled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium (Debian chromium); .ci/run installs it"]
async fn browser_books_through_the_steps_moves_it_and_shows_typed_markup_as_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let profile = tempfile::tempdir().expect("a browser profile");
    let config = BrowserConfig::builder()
        .chrome_executable(chromium())
        .no_sandbox()
        .user_data_dir(profile.path())
        .window_size(1280, 900)
        .args([
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .build()
        .expect("a browser configuration");
    let (mut browser, mut handler) = Browser::launch(config).await.expect("Chromium starts");
    let events = tokio::spawn(async move { while handler.next().await.is_some() {} });
    let page = browser.new_page("about:blank").await.expect("a page");
    page.emulate_timezone(
        chromiumoxide::cdp::browser_protocol::emulation::SetTimezoneOverrideParams::new(
            "America/New_York",
        ),
    )
    .await
    .expect("the visitor's zone");

    // Step 1: the landing page, timed and weighed (its script moves to the zone).
    let started = Instant::now();
    page.goto(format!("{}/", server.base))
        .await
        .expect("landing");
    for _ in 0..100 {
        if page
            .url()
            .await
            .ok()
            .flatten()
            .is_some_and(|u| u.contains("tz=America"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let landed = started.elapsed();
    page.wait_for_navigation().await.expect("settled");
    let timing: serde_json::Value = page
        .evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0]; \
             const r = performance.getEntriesByType('resource'); \
             return { interactive: n.domInteractive, bytes: n.encodedBodySize + \
             r.reduce((s, e) => s + e.encodedBodySize, 0), requests: 1 + r.length, \
             foreign: r.filter(e => !e.name.startsWith(location.origin)).length }; })()",
        )
        .await
        .expect("timing")
        .into_value()
        .expect("JSON");
    println!(
        "landing page: interactive after {} ms (loaded with its zone in {} ms), {} bytes in {} requests",
        timing["interactive"],
        landed.as_millis(),
        timing["bytes"],
        timing["requests"]
    );
    assert_eq!(timing["foreign"], 0, "no third-party requests");
    assert!(
        timing["bytes"].as_u64().is_some_and(|b| b < 100_000),
        "{timing}"
    );
    assert!(text(&page).await.contains("Step 1 of 4"));
    snap(&page, "1-meeting").await;

    // Step 2 (click 1): the consultation's times.
    follow(&page, "a[href*='type=consultation']").await;
    let times = text(&page).await;
    assert!(times.contains("Recommended times"), "{times}");
    snap(&page, "2-time").await;

    // Step 3 (click 2): the first recommended time; three fields.
    follow(&page, "h2 + ul a").await;
    assert!(text(&page).await.contains("Step 3 of 4"));
    for (field, value) in [
        ("#name", "Ada Lovelace"),
        ("#email", "ada@example.com"),
        (
            "#purpose",
            "<img src=x onerror=\"window.kairosXss=1\"><script>window.kairosXss=2</script>",
        ),
    ] {
        page.find_element(field)
            .await
            .expect("a field")
            .click()
            .await
            .expect("focused")
            .type_str(value)
            .await
            .expect("typed");
    }
    let typed: serde_json::Value = page
        .evaluate(
            "document.querySelector('#name').value + '|' + document.querySelector('#email').value",
        )
        .await
        .expect("evaluated")
        .into_value()
        .expect("JSON");
    assert_eq!(typed, "Ada Lovelace|ada@example.com");
    snap(&page, "3-details").await;

    // Step 4 (click 3): booked; what was typed is text, never markup.
    follow(&page, "button[type=submit]").await;
    let confirmation = text(&page).await;
    assert!(confirmation.contains("Step 4 of 4"), "{confirmation}");
    let injected: serde_json::Value = page
        .evaluate("typeof window.kairosXss")
        .await
        .expect("evaluated")
        .into_value()
        .expect("JSON");
    assert_eq!(injected, "undefined", "no markup ran");
    assert!(confirmation.contains("&lt;script&gt;") || confirmation.contains("&#60;script"));
    snap(&page, "4-confirmation").await;
    println!("landing to booked: 3 clicks and 3 fields");

    // Moved through the manage page.
    let before = page
        .find_element("div.chosen strong")
        .await
        .expect("the time")
        .inner_text()
        .await
        .expect("text");
    follow(
        &page,
        "button:not([type]), form[action$='/reschedule'] button",
    )
    .await;
    let after = page
        .find_element("div.chosen strong")
        .await
        .expect("the time")
        .inner_text()
        .await
        .expect("text");
    assert_ne!(before, after, "moved");
    snap(&page, "5-moved").await;

    // A second booking, through the assistant: words in, a time out, booked.
    page.goto(format!(
        "{}/?type=consultation&tz=America/New_York",
        server.base
    ))
    .await
    .expect("the times");
    page.wait_for_navigation().await.expect("settled");
    page.find_element("#say")
        .await
        .expect("the assistant")
        .click()
        .await
        .expect("focused")
        .type_str("tomorrow at 3 for 45 minutes, about my tax return")
        .await
        .expect("typed");
    follow(&page, ".assistant button[type=submit]").await;
    let answered = text(&page).await;
    assert!(answered.contains("is free"), "{answered}");
    snap(&page, "6-assistant").await;
    follow(&page, ".assistant a.slot").await;
    assert!(text(&page).await.contains("Step 3 of 4"));
    for (field, value) in [("#name", "Grace Hopper"), ("#email", "grace@example.com")] {
        page.find_element(field)
            .await
            .expect("a field")
            .click()
            .await
            .expect("focused")
            .type_str(value)
            .await
            .expect("typed");
    }
    follow(&page, "button[type=submit]").await;
    let booked = text(&page).await;
    assert!(booked.contains("Step 4 of 4"), "{booked}");
    assert!(booked.contains("15:00–15:45"), "45 minutes at 3: {booked}");
    assert!(booked.contains("my tax return"), "{booked}");

    browser.close().await.ok();
    events.abort();
    server.stop().await;
}
