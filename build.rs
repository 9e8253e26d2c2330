//! Compiles the message templates under config/templates into the binary,
//! so the service runs from any directory. A deployment can still point
//! `notify.templates_dir` at its own copy.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Read at run time, not `env!`: the compiled build script is reused
    // across checkouts of the same crate (CI builds the Docker context in a
    // temporary copy sharing the target folder), and must read this one's.
    let manifest =
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|e| panic!("CARGO_MANIFEST_DIR: {e}"));
    let root = Path::new(&manifest).join("config/templates");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut entries = Vec::new();
    // One folder per language of customer messages and pages, and the
    // staff desk's pages (English).
    for lang in ["en", "es", "desk"] {
        let dir = root.join(lang);
        println!("cargo:rerun-if-changed={}", dir.display());
        // No templates means no messages: fail the build, not the first
        // customer text.
        let files = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read templates in {}: {e}", dir.display()));
        for file in files.flatten() {
            let path = file.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if name.ends_with(".j2") {
                println!("cargo:rerun-if-changed={}", path.display());
                entries.push((format!("{lang}/{name}"), path.display().to_string()));
            }
        }
    }
    if entries.is_empty() {
        panic!("no templates under {}", root.display());
    }
    entries.sort();
    let mut code = String::from(
        "/// Templates compiled in from config/templates.\npub const EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for (name, path) in entries {
        let _ = writeln!(code, "    ({name:?}, include_str!({path:?})),");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("templates.rs");
    if let Err(e) = std::fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}
