//===- Passes.td - NKI transformation passes ---------------*- tablegen -*-===//

#ifndef NKI_DIALECT_NKI_TRANSFORMS_PASSES_TD
#define NKI_DIALECT_NKI_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NKIVerifyBuffers : Pass<"nki-verify-buffers"> {
  let summary = "Check every SBUF and PSUM buffer against the hardware rules";
  let description = [{
    Op verifiers check the buffers that NKI ops touch. Allocations and views
    are upstream ops (`memref.alloc`, `memref.subview`, ...) whose verifiers do
    not know our memory spaces, so this pass checks every memref value in SBUF
    or PSUM (op results and block arguments) against the rules of
    `nki::verifyOnChipBuffer`:

    - dim 0 is the partition dimension, at most 128;
    - the element type is f32, bf16 or f16;
    - an SBUF buffer fits the 212,992 bytes usable per partition (trn2);
    - a PSUM tile fits one 2 KiB bank per partition, or spells out its banks
      as `[partitions, banks <= 8, F]` with F fitting one bank.

    It changes nothing; on a violation it reports the value's location and
    fails. Run it first in a pipeline that consumes hand-written kernels.

    ```mlir
    // error: 'memref.alloc' op result #0: SBUF buffer ... spans 256 partitions
    %t = memref.alloc() : memref<256x512xf32, #nki.mem<sbuf>>
    ```
  }];
}

#endif // NKI_DIALECT_NKI_TRANSFORMS_PASSES_TD
