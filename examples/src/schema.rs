//! Writes the JSON Schemas of the engine's surface to `schema/` (one file each:
//! `program.schema.json`, `event.schema.json`, ...), from the core's own types. Run it after
//! changing a type that crosses as JSON; a test fails while the committed files are stale.
//!
//! ```text
//! cargo run -p loyalty-examples --bin schema
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
    for (name, schema) in loyalty::schema::all() {
        let path = dir.join(format!("{name}.schema.json"));
        let text = match serde_json::to_string_pretty(&schema) {
            Ok(text) => text + "\n",
            Err(e) => {
                eprintln!("{name}: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("{}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
