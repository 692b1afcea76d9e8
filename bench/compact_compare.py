"""Sizes of a JSON account snapshot under the compressors considered for compact snapshots,
each primed with the dictionary the core ships (core/src/account/compact.dict) where it
takes one: plain DEFLATE, DEFLATE with the dictionary (what `Account::to_compact` does, bar
its one encoding byte), LZ4 and zstd with it (when the lz4 and zstandard packages are
installed).

Usage:  python bench/compact_compare.py [SNAPSHOT.json ...]
        (default: bindings-mobile/kotlin-tests/golden/member_story_snapshot.json)
"""
import pathlib
import sys
import zlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main():
    dictionary = (ROOT / "core" / "src" / "account" / "compact.dict").read_bytes()
    paths = sys.argv[1:] or [ROOT / "bindings-mobile" / "kotlin-tests" / "golden" / "member_story_snapshot.json"]
    for path in paths:
        data = pathlib.Path(path).read_bytes().rstrip(b"\n")
        raw = zlib.compressobj(9, zlib.DEFLATED, -15)
        with_dict = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, zdict=dictionary)
        row = {"json": len(data), "deflate": len(raw.compress(data) + raw.flush()),
               "deflate+dict": len(with_dict.compress(data) + with_dict.flush())}
        try:
            import lz4.block

            row["lz4+dict"] = len(lz4.block.compress(data, mode="high_compression", compression=12, dict=dictionary,
                                                     store_size=False))
        except ImportError:
            pass
        try:
            import zstandard

            zd = zstandard.ZstdCompressionDict(dictionary, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
            row["zstd+dict"] = len(zstandard.ZstdCompressor(level=19, dict_data=zd, write_content_size=False,
                                                            write_checksum=False, write_dict_id=False).compress(data))
        except ImportError:
            pass
        print(path, row)


if __name__ == "__main__":
    main()
