//===- NKIAttrs.td - NKI attributes and enums --------------*- tablegen -*-===//

#ifndef NKI_DIALECT_NKI_IR_NKIATTRS_TD
#define NKI_DIALECT_NKI_IR_NKIATTRS_TD

include "nki/Dialect/NKI/IR/NKIDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Memory spaces
//===----------------------------------------------------------------------===//

def NKI_MemorySpace : I32EnumAttr<"MemorySpace", "NKI on-chip memory space", [
    I32EnumAttrCase<"sbuf", 1>,
    I32EnumAttrCase<"psum", 2>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::nki";
}

def NKI_MemorySpaceAttr : EnumAttr<NKI_Dialect, NKI_MemorySpace, "mem"> {
  let assemblyFormat = "`<` $value `>`";
  let summary = "On-chip memory space of a memref: SBUF or PSUM";
  let description = [{
    Placed as the memory space of a builtin memref: `#nki.mem<sbuf>` is the
    state buffer (128 partitions x 224 KiB on trn2, about 208 KiB usable per
    partition), `#nki.mem<psum>` the matmul accumulator (128 partitions x
    8 banks x 2 KiB). A memref without memory space lives in HBM.
  }];
}

//===----------------------------------------------------------------------===//
// Engine operations
//===----------------------------------------------------------------------===//

def NKI_AluOp : I32EnumAttr<"AluOp", "elementwise or reduction operator", [
    I32EnumAttrCase<"add", 0>,
    I32EnumAttrCase<"subtract", 1>,
    I32EnumAttrCase<"multiply", 2>,
    I32EnumAttrCase<"max", 3>,
    I32EnumAttrCase<"min", 4>
  ]> {
  let cppNamespace = "::mlir::nki";
}

def NKI_MatmulMode : I32EnumAttr<"MatmulMode",
    "whether a matmul overwrites or accumulates into its PSUM result", [
    I32EnumAttrCase<"overwrite", 0>,
    I32EnumAttrCase<"accumulate", 1>
  ]> {
  let cppNamespace = "::mlir::nki";
}

//===----------------------------------------------------------------------===//
// Kernel metadata
//===----------------------------------------------------------------------===//

def NKI_Conv2dAttr : AttrDef<NKI_Dialect, "Conv2d"> {
  let mnemonic = "conv2d";
  let summary = "Marks a kernel as fused conv2d + bias + max-pool";
  let description = [{
    Placed on a `func.func` as `nki.conv2d = #nki.conv2d<pool = P>`, it
    records that the kernel computes, with arguments `(X, W, bias, out)`,

      out = max_pool(conv2d(X, W) + bias, window = stride = P)

    for X `[B, Cin, H, W]`, W `[Cout, Cin, FH, FW]`, bias `[Cout]` and out
    `[B, Cout, (H - FH + 1) / P, (W - FW + 1) / P]`, stride 1, no padding. The
    shapes come from the signature, which the verifier checks against this
    formula. Tools use it to build an independent reference; passes never read
    it, so dropping it changes no rewrite.
  }];
  let parameters = (ins "int64_t":$poolSize);
  let assemblyFormat = "`<` `pool` `=` $poolSize `>`";
}

#endif // NKI_DIALECT_NKI_IR_NKIATTRS_TD
