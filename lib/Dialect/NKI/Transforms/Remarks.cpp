//===- Remarks.cpp - Why a rewrite left an op alone -------------*- C++ -*-===//

#include "Remarks.h"

#include "mlir/IR/Remarks.h"

using namespace mlir;

void nki::reportMissed(Operation *op, StringRef pass, const Twine &reason) {
  remark::missed(op->getLoc(),
                 remark::RemarkOpts::name("not-rewritten").category(pass))
      << reason.str();
}
