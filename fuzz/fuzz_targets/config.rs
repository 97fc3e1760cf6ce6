//! Configuration as `kairos serve` loads it: YAML text → overrides from a fixed
//! environment → the validated `Config`, or an error naming its key.
#![no_main]

use kairos::config::Config;
use libfuzzer_sys::fuzz_target;

fn environment(name: &str) -> Option<String> {
    match name {
        "KAIROS_DATA_DIR" => Some("/nonexistent/kairos-fuzz".into()),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::from_yaml("fuzz.yaml", text, &environment) {
        Ok(config) => {
            let _ = config.meeting_type("intro");
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
