"""Small NKI kernels in the styles real authors use, with numpy references."""

import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl


@nki.jit
def matmul_tiled(lhsT, rhs):
    """lhsT [K, M] (already transposed), rhs [K, N]: the nl.load /
    nl.matmul(transpose_x=True) family, K tiles accumulated in PSUM."""
    K, M = lhsT.shape
    _, N = rhs.shape
    result = nl.ndarray((M, N), dtype=lhsT.dtype, buffer=nl.shared_hbm)
    TK, TM, TN = nl.tile_size.pmax, nl.tile_size.gemm_stationary_fmax, \
        nl.tile_size.gemm_moving_fmax
    for m in nl.affine_range(M // TM):
        for n in nl.affine_range(N // TN):
            res_psum = nl.zeros((TM, TN), nl.float32, buffer=nl.psum)
            for k in nl.affine_range(K // TK):
                lhsT_tile = nl.load(lhsT[k * TK:(k + 1) * TK,
                                         m * TM:(m + 1) * TM])
                rhs_tile = nl.load(rhs[k * TK:(k + 1) * TK,
                                       n * TN:(n + 1) * TN])
                res_psum += nl.matmul(lhsT_tile, rhs_tile, transpose_x=True)
            res_sb = nl.copy(res_psum, dtype=result.dtype)
            nl.store(result[m * TM:(m + 1) * TM, n * TN:(n + 1) * TN],
                     value=res_sb)
    return result


def matmul_tiled_reference(lhsT, rhs):
    return lhsT.T.astype(np.float64) @ rhs


@nki.jit
def scale_shift_rowmax(x, shift):
    """(x * 2 - shift) then the max of each row pair: tensor_scalar with a
    number and a [P, 1] tile, tensor_reduce over a reshape."""
    P, F = x.shape
    out = nl.ndarray((P, F // 2), dtype=x.dtype, buffer=nl.hbm)
    tile = nl.load(x)
    s = nl.load(shift)
    scaled = nisa.tensor_scalar(tile, np.multiply, 2.0, op1=np.subtract,
                                operand1=s)
    pairs = scaled.reshape((P, F // 2, 2))
    nl.store(out, value=nisa.tensor_reduce(np.max, pairs, axis=2))
    return out


def scale_shift_rowmax_reference(x, shift):
    return (x * 2.0 - shift).reshape(x.shape[0], -1, 2).max(axis=2)
