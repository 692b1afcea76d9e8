//! napi's build script: links the addon for Node.
fn main() {
    napi_build::setup();
}
