// The version every Strata program prints with --version: the project's
// release number, and the git commit it was built from when it was built
// from a git checkout (`git describe`, refreshed at every build, so an
// incremental build never reports a stale commit).
#pragma once

namespace strata {

// "0.1.0 (git b81db9c-dirty)", or "0.1.0" outside a git checkout.
const char* version();

}  // namespace strata
