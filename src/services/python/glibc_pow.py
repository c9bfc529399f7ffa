"""math.pow as the official harnesses compute it: glibc's pow on x86-64 (its FMA build), bit for bit.

Why: Pyodide's libm (musl in wasm) and glibc run the same algorithm (ARM's optimized-routines pow) on the same
tables, but glibc's x86-64 build (e_pow-fma.c, -mfma) lets GCC contract every `a * b + c` whose product has no
other use into a fused multiply-add; wasm has none. About 1 result in 1,700 then differs in the last bit, and
iterative solutions amplify it: HumanEval/32 (find_zero: Newton's method on a polynomial evaluated with math.pow)
converged elsewhere on 7 of its 788 HumanEval+ inputs, and EvalPlus's own canonical solution missed the oracle's
tolerance on 2. Here the contracted algorithm runs in Python with math.fma (exact), on the tables read out of this
Pyodide's own libm (host-core.mjs finds them in the wasm memory, libm-tables.mjs). Measured: identical to Debian's
CPython 3.11 math.pow on 300,000 inputs (integer and fractional exponents, 1e-300..1e300). Cases outside the main
path (zero, inf, nan, subnormal x, tiny or huge y, results near overflow or underflow) keep the native pow.
Appended to runner.py + evalcheck.py (same namespace); evaluation hosts only. `**` on floats keeps the native pow.
"""
import struct as _struct

_POW_N = 128  # 1 << POW_LOG_TABLE_BITS, and 1 << EXP_TABLE_BITS
_POW_OFF = 0x3FE6955500000000
_SIGN_BIAS = 0x800 << 7
_MASK64 = 0xFFFFFFFFFFFFFFFF
_native_pow = _math.pow
_fma = getattr(_math, "fma", None)
_POW = {}


def _u64(x):
    return _struct.unpack("<Q", _struct.pack("<d", x))[0]


def _f64(u):
    return _struct.unpack("<d", _struct.pack("<Q", u & _MASK64))[0]


def _pow_log(ix):
    P = _POW
    tmp = (ix - _POW_OFF) & _MASK64
    i = (tmp >> (52 - 7)) % _POW_N
    k = (tmp - (1 << 64) if tmp >> 63 else tmp) >> 52
    z = _f64(ix - (tmp & (0xFFF << 52)))
    kd = float(k)
    invc, logc, logctail = P["tab"][i]
    A0, A1, A2, A3, A4, A5, A6 = P["poly"]
    r = _fma(z, invc, -1.0)
    t1 = _fma(kd, P["ln2hi"], logc)
    t2 = t1 + r
    lo1 = _fma(kd, P["ln2lo"], logctail)
    lo2 = t1 - t2 + r
    ar = A0 * r
    ar2 = r * ar
    ar3 = r * ar2
    hi = t2 + ar2
    lo3 = _fma(ar, r, -ar2)
    lo4 = t2 - hi + ar2
    q = _fma(ar2, _fma(ar2, _fma(r, A6, A5), _fma(r, A4, A3)), _fma(r, A2, A1))
    lo = _fma(ar3, q, lo1 + lo2 + lo3 + lo4)
    y = hi + lo
    return y, hi - y + lo


def _pow_exp(x, xtail, sign_bias):
    """exp(x + xtail) with the sign bias, or None where glibc takes its special-case path."""
    P = _POW
    abstop = (_u64(x) >> 52) & 0x7FF
    if (abstop - 0x3C9) & 0xFFFFFFFF >= 0x408 - 0x3C9:
        if (abstop - 0x3C9) & 0xFFFFFFFF >= 0x80000000:
            one = 1.0 + x
            return -one if sign_bias else one
        return None
    kd = _fma(P["invln2N"], x, P["shift"])
    ki = _u64(kd)
    kd -= P["shift"]
    r = _fma(kd, P["negln2loN"], _fma(kd, P["negln2hiN"], x))
    r += xtail
    idx = 2 * (ki % _POW_N)
    top = ((ki + sign_bias) << (52 - 7)) & _MASK64
    tab = P["exptab"]
    tail = _f64(tab[idx])
    scale = _f64(tab[idx + 1] + top)
    C2, C3, C4, C5 = P["expoly"]
    r2 = r * r
    tmp = _fma(r2 * r2, _fma(r, C5, C4), _fma(r2, _fma(r, C3, C2), tail + r))
    return _fma(scale, tmp, scale)


def glibc_pow(x, y, /):
    """Return x**y (x to the power of y)."""
    if type(x) not in (float, int) or type(y) not in (float, int):
        return _native_pow(x, y)
    try:
        fx, fy = float(x), float(y)
    except OverflowError:
        return _native_pow(x, y)
    ax, ay = abs(fx), abs(fy)
    if not (2.2250738585072014e-308 <= ax < _math.inf) or not (2.0**-65 <= ay < 2.0**63):
        return _native_pow(x, y)
    sign_bias = 0
    if fx < 0:
        if fy != _math.floor(fy):
            return _native_pow(x, y)  # ValueError: math domain error
        if ay < 2.0**53 and int(fy) & 1:
            sign_bias = _SIGN_BIAS
    hi, lo = _pow_log(_u64(ax))
    ehi = fy * hi
    elo = _fma(fy, lo, _fma(fy, hi, -ehi))
    out = _pow_exp(ehi, elo, sign_bias)
    return _native_pow(x, y) if out is None else out


glibc_pow.__name__ = glibc_pow.__qualname__ = "pow"


def install_glibc_pow(log_data, exp_data):
    """log_data: pow_log_data (ln2hi, ln2lo, poly[7], tab[128] of invc, pad, logc, logctail) as 521 doubles;
    exp_data: exp_data (invln2N, shift, negln2hiN, negln2loN, poly[4], exp2_shift, exp2_poly[5]) as 14 doubles
    then tab[256] as uint64 (bytes, or the JavaScript Uint8Arrays host-core passes). Checks the layout before
    math.pow is replaced; returns whether it was."""
    log_data, exp_data = (b.to_bytes() if hasattr(b, "to_bytes") else bytes(b) for b in (log_data, exp_data))
    if not hasattr(_math, "fma") or len(log_data) != 521 * 8 or len(exp_data) != 270 * 8:
        return False
    d = _struct.unpack("<521d", log_data)
    e = _struct.unpack("<14d", exp_data[: 14 * 8])
    tab = [(d[9 + 4 * j], d[11 + 4 * j], d[12 + 4 * j]) for j in range(_POW_N)]
    if d[2] != -0.5 or tab[0][0] != 1.4140625 or e[1] != float.fromhex("0x1.8p52") or e[0] != float.fromhex("0x1.71547652b82fep7"):
        return False
    _POW.update(ln2hi=d[0], ln2lo=d[1], poly=d[2:9], tab=tab, invln2N=e[0], shift=e[1], negln2hiN=e[2],
                negln2loN=e[3], expoly=e[4:8], exptab=_struct.unpack("<256Q", exp_data[14 * 8:]))
    _math.pow = glibc_pow
    return True
