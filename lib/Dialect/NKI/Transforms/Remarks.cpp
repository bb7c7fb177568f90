//===- Remarks.cpp - Why a rewrite left an op alone -------------*- C++ -*-===//

#include "Remarks.h"

#include "mlir/IR/Remarks.h"

using namespace mlir;

void nki::MissedRemarkListener::notifyMatchFailure(
    Location loc, function_ref<void(Diagnostic &)> reasonCallback) {
  Diagnostic reason(loc, DiagnosticSeverity::Remark);
  reasonCallback(reason);
  remark::missed(loc, remark::RemarkOpts::name("not-rewritten").category(pass))
      << reason.str();
}
