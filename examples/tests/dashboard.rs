//! The dashboard in a real browser: headless Chromium (Debian's `chromium`, which `.ci/run`
//! installs) opens the page `replay --html` writes for the CDNOW log under the three shipped
//! programs, every chart must have been drawn, the page must not have asked the network for
//! anything, and a screenshot is kept under `target/artifacts/` for CI.
//!
//! Without a browser the test fails, naming the package to install; set
//! `LOYALTY_SKIP_BROWSER=1` to skip it on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Opens `page` headless; returns the DOM after load and the requests the page itself made
/// (the browser's own background requests, initiator "not an origin", are not the page's).
fn open(chromium: &Path, page: &Path, work: &Path, screenshot: Option<&Path>) -> (String, Vec<String>) {
    let netlog = work.join("net.json");
    let _ = std::fs::remove_file(&netlog);
    let mut args = vec![
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-extensions".into(),
        "--hide-scrollbars".into(),
        format!("--user-data-dir={}", work.join("profile").display()),
        format!("--log-net-log={}", netlog.display()),
        "--virtual-time-budget=3000".into(),
        "--window-size=1600,4300".into(),
    ];
    match screenshot {
        Some(png) => args.push(format!("--screenshot={}", png.display())),
        None => args.push("--dump-dom".into()),
    }
    args.push(format!("file://{}", page.display()));
    let out = Command::new(chromium).args(&args).output().expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    let log: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&netlog).unwrap()).unwrap();
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64().unwrap();
    let requests = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start_job))
        .filter(|e| e["params"]["initiator"].as_str() != Some("not an origin"))
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), requests)
}

/// The page with every coloured line and bar (the data; axes and grid are grey) taken out.
fn without_data(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
        let tag = &rest[at..end];
        let coloured = |attr: &str| {
            tag.split(&format!("{attr}=\"#")).nth(1).and_then(|v| v.get(..6)).is_some_and(|hex| {
                let (r, g, b) = (&hex[0..2], &hex[2..4], &hex[4..6]);
                !(r == g && g == b)
            })
        };
        let data =
            (tag.starts_with("<polyline") && coloured("stroke")) || (tag.starts_with("<rect") && coloured("fill"));
        if !data {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn attribute(dom: &str, name: &str) -> Option<String> {
    let body = &dom[dom.find("<body")?..];
    let body = &body[..body.find('>')?];
    let at = body.find(&format!("{name}=\""))? + name.len() + 2;
    Some(body[at..].split('"').next()?.to_string())
}

#[test]
fn the_dashboard_draws_every_chart_and_fetches_nothing() {
    if std::env::var("LOYALTY_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("skipped: LOYALTY_SKIP_BROWSER=1");
        return;
    }
    let chromium = browser().expect("no chromium on PATH: `apt-get install chromium` (or set LOYALTY_SKIP_BROWSER=1)");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let page = work.join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_replay"))
        .args(["--compare", "programs/coffee-shop.json", "--compare", "programs/department-store.json", "--html"])
        .arg(&page)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Piped, the replay draws no progress bar.
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    let html = std::fs::read_to_string(&page).unwrap();
    for outside in ["src=", "href=", "url(", "@import", "<link", "<img", "<iframe"] {
        assert!(!html.contains(outside), "the page refers to something outside it: {outside}");
    }
    // Three point charts, two tier ladders (the coffee shop has none), liability, cost,
    // expiring, segments, new members, cohorts, repurchase, order value, actives, funnel.
    assert_eq!(html.matches("<figure data-chart=").count(), 15);
    for chart in ["points-0", "points-1", "points-2", "tiers-0", "tiers-2", "liability", "segments", "funnel"] {
        assert!(html.contains(&format!("data-chart=\"{chart}\"")), "{chart} is missing");
    }

    // The check below can see a page's requests: a page that asks for two things is caught.
    let control = work.join("control.html");
    std::fs::write(&control, "<img src=\"http://127.0.0.1:9/x.png\"><script>fetch('http://127.0.0.1:9/y')</script>")
        .unwrap();
    let (_, asked) = open(&chromium, &control, &work, None);
    assert_eq!(asked, ["http://127.0.0.1:9/x.png", "http://127.0.0.1:9/y"]);

    let (dom, asked) = open(&chromium, &page, &work, None);
    assert_eq!(asked, Vec::<String>::new(), "the dashboard made network requests");
    assert_eq!(attribute(&dom, "data-charts").as_deref(), Some("15"));
    assert_eq!(attribute(&dom, "data-charts-rendered").as_deref(), Some("15"), "a chart was not drawn");
    assert_eq!(attribute(&dom, "data-resources").as_deref(), Some("0"));
    assert_eq!(attribute(&dom, "data-csp-violations").as_deref(), Some("0"));

    // The page's own policy refuses a request before the network sees it: the same page asking
    // for an image counts a violation (and still makes no request).
    let asking = work.join("asking.html");
    std::fs::write(&asking, html.replacen("<body>", "<body><img src=\"http://127.0.0.1:9/x.png\">", 1)).unwrap();
    let (dom, asked) = open(&chromium, &asking, &work, None);
    assert_eq!((attribute(&dom, "data-csp-violations").as_deref(), asked.len()), (Some("1"), 0));
    // Charts without their data lines and bars do not count as drawn.
    let empty = work.join("empty.html");
    std::fs::write(&empty, without_data(&html)).unwrap();
    let (dom, _) = open(&chromium, &empty, &work, None);
    assert_eq!(attribute(&dom, "data-charts-rendered").as_deref(), Some("0"));

    // The screenshot, kept for CI under the build folder.
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let png = artifacts.join("dashboard.png");
    let _ = std::fs::remove_file(&png);
    let (_, asked) = open(&chromium, &page, &work, Some(&png));
    assert!(asked.is_empty());
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(bytes.len() > 100_000, "a screenshot of 15 charts is more than {} bytes", bytes.len());
}
