package org.sparse4j;

/**
 * IEEE fp16 and bfloat16 bit conversions, rounding to nearest even like the native library, so a
 * value converted in Java and one converted in C have the same bits.
 */
public final class Float16 {
    private Float16() {}

    public static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        int u;
        if (exp == 0x1f) {
            u = sign | 0x7f800000 | (mant << 13);
        } else if (exp != 0) {
            u = sign | ((exp + 112) << 23) | (mant << 13);
        } else if (mant == 0) {
            u = sign;
        } else {
            int shift = 0;
            while ((mant & 0x400) == 0) {
                mant <<= 1;
                shift++;
            }
            mant &= 0x3ff;
            u = sign | ((113 - shift) << 23) | (mant << 13);
        }
        return Float.intBitsToFloat(u);
    }

    public static short floatToHalf(float f) {
        int u = Float.floatToRawIntBits(f);
        int sign = (u >>> 16) & 0x8000;
        int abs = u & 0x7fffffff;
        if (abs > 0x7f800000) {
            return (short) (sign | 0x7e00);
        }
        if (abs >= 0x477ff000) {
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) {
            if (abs < 0x33000000) {
                return (short) sign;
            }
            int exp = abs >>> 23;
            int mant = (abs & 0x7fffff) | 0x800000;
            int shift = 126 - exp;
            int q = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int half = 1 << (shift - 1);
            if (rem > half || (rem == half && (q & 1) != 0)) {
                q++;
            }
            return (short) (sign | q);
        }
        int r = abs + 0xfff + ((abs >>> 13) & 1);
        return (short) (sign | ((r - 0x38000000) >>> 13));
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    public static short floatToBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 0x40);
        }
        u += 0x7fff + ((u >>> 16) & 1);
        return (short) (u >>> 16);
    }
}
