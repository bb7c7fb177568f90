//===- NKIOps.td - NKI operations --------------------------*- tablegen -*-===//

#ifndef NKI_DIALECT_NKI_IR_NKIOPS_TD
#define NKI_DIALECT_NKI_IR_NKIOPS_TD

include "nki/Dialect/NKI/IR/NKIDialect.td"
include "nki/Dialect/NKI/IR/NKIAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// DMA
//===----------------------------------------------------------------------===//

def NKI_DmaCopyOp : NKI_Op<"dma_copy"> {
  let summary = "DMA transfer between HBM and SBUF, or within one of them";
  let description = [{
    Copies `source` into `target` on a DMA queue (NKI `nisa.dma_copy`). Either
    side may be in HBM or SBUF, never PSUM. Both sides have the same shape;
    reshapes are explicit memref views, and either operand may be a strided
    view (a DMA access pattern). When the element types differ the DMA casts.

    Each DMA costs a fixed ~1.3 us; the hardware is efficient at 2 KiB or
    more contiguous bytes per partition.

    ```mlir
    nki.dma_copy %x to %tile : memref<128x512xf32, strided<[50176, 1], offset: ?>>
                            to memref<128x512xf32, #nki.mem<sbuf>>
    ```
  }];
  let arguments = (ins Arg<AnyMemRef, "the data to copy", [MemRead]>:$source,
                       Arg<AnyMemRef, "the destination", [MemWrite]>:$target);
  let assemblyFormat = [{
    $source `to` $target attr-dict `:` type($source) `to` type($target)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizeMethod = 1;
}

//===----------------------------------------------------------------------===//
// Tensor Engine
//===----------------------------------------------------------------------===//

def NKI_MatmulOp : NKI_Op<"matmul",
    [DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Tensor-Engine matmul: result (=|+=) stationary^T x moving";
  let description = [{
    One pass of the 128x128 systolic array (NKI `nisa.nc_matmul`). The
    stationary operand `[K, M]` and the moving operand `[K, F...]` are SBUF
    tiles whose partition dimension K (<= 128) is contracted; M <= 128 and the
    moving free size N = product(F...) <= 512. The result `[M, F...]` is a PSUM
    tile of f32 (one bank per partition). `overwrite` stores the product,
    `accumulate` adds it to what the PSUM tile holds, which is how NKI sums
    over K tiles and filter taps. The moving operand may be a strided view with
    several free dimensions (for example a shifted window of an input slab).

    ```mlir
    nki.matmul accumulate %wT, %x into %acc
        : memref<128x128xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>>
          into memref<128x512xf32, #nki.mem<psum>>
    ```
  }];
  let arguments = (ins NKI_MatmulMode:$mode, AnyMemRef:$stationary,
                       AnyMemRef:$moving, AnyMemRef:$target);
  let assemblyFormat = [{
    $mode $stationary `,` $moving `into` $target attr-dict `:`
    type($stationary) `,` type($moving) `into` type($target)
  }];
  let extraClassDeclaration = [{
    bool isAccumulate() { return getMode() == MatmulMode::accumulate; }
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def NKI_TransposeOp : NKI_Op<"transpose"> {
  let summary = "Tensor-Engine transpose of an SBUF tile into PSUM";
  let description = [{
    Swaps the partition and free dimension of a `[P, F]` SBUF tile, P and F at
    most 128, writing `[F, P]` into PSUM (NKI `nisa.nc_transpose` on the
    Tensor Engine, a matmul against the identity). The result keeps the
    element type; move it back to SBUF with `nki.tensor_copy`.
  }];
  let arguments = (ins Arg<AnyMemRef, "the SBUF tile", [MemRead]>:$source,
                       Arg<AnyMemRef, "the PSUM tile", [MemWrite]>:$target);
  let assemblyFormat = [{
    $source `into` $target attr-dict `:` type($source) `into` type($target)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Vector / Scalar engines
//===----------------------------------------------------------------------===//

def NKI_TensorCopyOp : NKI_Op<"tensor_copy"> {
  let summary = "Engine copy with cast between SBUF and PSUM tiles";
  let description = [{
    Copies a tile on the Vector/Scalar engines (NKI `nl.copy` /
    `nisa.tensor_copy`), converting to the target's element type. This is how
    a PSUM result is evicted to SBUF; like the other engine ops it may also
    write PSUM. Source and target have the same shape.
  }];
  let arguments = (ins Arg<AnyMemRef, "the tile to copy", [MemRead]>:$source,
                       Arg<AnyMemRef, "the SBUF or PSUM destination", [MemWrite]>:$target);
  let assemblyFormat = [{
    $source `to` $target attr-dict `:` type($source) `to` type($target)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizeMethod = 1;
}

def NKI_TensorTensorOp : NKI_Op<"tensor_tensor"> {
  let summary = "Elementwise operation of two tiles";
  let description = [{
    `result = lhs <op> rhs` elementwise on the Vector Engine (NKI
    `nisa.tensor_tensor`). All three operands are SBUF or PSUM tiles of the
    same shape; the result may alias an input.
  }];
  let arguments = (ins NKI_AluOp:$op,
                       Arg<AnyMemRef, "left operand", [MemRead]>:$lhs,
                       Arg<AnyMemRef, "right operand", [MemRead]>:$rhs,
                       Arg<AnyMemRef, "destination", [MemWrite]>:$target);
  let assemblyFormat = [{
    $op $lhs `,` $rhs `to` $target attr-dict `:`
    type($lhs) `,` type($rhs) `to` type($target)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def NKI_TensorScalarOp : NKI_Op<"tensor_scalar",
    [DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Elementwise operation of a tile and a scalar per partition";
  let description = [{
    `result = source <op> scalar` elementwise (NKI `nisa.tensor_scalar`). The
    scalar is either one float value for the whole tile or an SBUF vector of
    shape `[P, 1]` holding one value per partition, which is how a per-channel
    bias is added when channels sit on partitions.

    ```mlir
    nki.tensor_scalar add %res, %bias to %res
        : memref<128x512xf32, #nki.mem<sbuf>>, memref<128x1xf32, #nki.mem<sbuf>>
          to memref<128x512xf32, #nki.mem<sbuf>>
    ```
  }];
  let arguments = (ins NKI_AluOp:$op, AnyMemRef:$source,
                       AnyTypeOf<[AnyFloat, AnyMemRef]>:$scalar,
                       AnyMemRef:$target);
  let assemblyFormat = [{
    $op $source `,` $scalar `to` $target attr-dict `:`
    type($source) `,` type($scalar) `to` type($target)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def NKI_TensorReduceOp : NKI_Op<"tensor_reduce"> {
  let summary = "Reduction of a tile over free axes";
  let description = [{
    Reduces `source` with an associative operator (`add`, `multiply`, `max`,
    `min`) over the listed free `axes` (NKI `nisa.tensor_reduce`); the
    partition axis 0 cannot be reduced. The result has the source's shape with
    the reduced axes removed. A 2x2 max-pool is a max over axes 2 and 4 of a
    `[P, H/2, 2, W/2, 2]` view of the tile.
  }];
  let arguments = (ins NKI_AluOp:$op,
                       Arg<AnyMemRef, "the tile to reduce", [MemRead]>:$source,
                       Arg<AnyMemRef, "the SBUF destination", [MemWrite]>:$target,
                       DenseI64ArrayAttr:$axes);
  let assemblyFormat = [{
    $op $source `to` $target `axes` `=` $axes attr-dict `:`
    type($source) `to` type($target)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def NKI_MemsetOp : NKI_Op<"memset"> {
  let summary = "Fill an SBUF or PSUM tile with a constant";
  let description = [{
    Sets every element of `target` to `value` (NKI `nl.zeros` / `nisa.memset`),
    for example to clear a PSUM accumulator or to start a max reduction at
    -inf.
  }];
  let arguments = (ins Arg<AnyMemRef, "the tile to fill", [MemWrite]>:$target,
                       F64Attr:$value);
  let assemblyFormat = "$target `,` $value attr-dict `:` type($target)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

#endif // NKI_DIALECT_NKI_IR_NKIOPS_TD
