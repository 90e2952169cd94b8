#!/usr/bin/env python3
"""Writes the seed corpus, fuzz/corpus/<target>/, from the conformance vectors.

Each seed is a vector case encoded in the target's input layout (see
src/input.rs and the header of each fuzz_targets/*.rs). A few cases per target,
picked round-robin over the vector files, so the corpus stays small.
Run from anywhere: python3 fuzz/make_corpus.py
"""
import hashlib
import json
import pathlib
import re
import struct

FUZZ = pathlib.Path(__file__).resolve().parent
VECTORS = FUZZ.parent / "tests" / "vectors"
# The profile byte indexes the core's table of profiles (the schema's enum,
# which core/tests/document.rs holds equal to it), then one name that is no
# profile (src/input.rs, profile_name).
SCHEMA = json.loads((FUZZ.parent / "policy.schema.json").read_text())
PROFILES = SCHEMA["properties"]["profile"]["enum"] + ["express"]
PER_TARGET = 14
MAX_VALUE = 2048  # bytes of one request value ({"repeat": ...} is cut here)


def value(v):
    """A vector byte string as bytes."""
    if isinstance(v, str):
        return v.encode()
    if "hex" in v:
        return bytes.fromhex(v["hex"])
    body = v["repeat"].encode() * min(v["times"], MAX_VALUE)
    return (v.get("prefix", "").encode() + body)[:MAX_VALUE] + v.get("suffix", "").encode()


def string(b):
    b = b[:65535]
    if len(b) < 255:
        return bytes([len(b)]) + b
    return b"\xff" + struct.pack("<H", len(b)) + b


def strings(items):
    items = items[:24]
    return bytes([len(items)]) + b"".join(string(i.encode()) for i in items)


def names(v, modes):
    """A mode byte (then a list when listed): modes maps '*'/'mirror' to bytes."""
    if isinstance(v, str):
        return bytes([modes[v]])
    return b"\x00" + strings(v or [])


def profile(cfg):
    return bytes([PROFILES.index(cfg.get("profile", "strict"))])


def config(cfg):
    max_age = cfg.get("max_age")
    flags = (
        cfg.get("credentials", False) << 0
        | cfg.get("private_network", False) << 1
        | cfg.get("origin_verdict", False) << 2
        | cfg.get("preflight_continue", False) << 3
        | ("fixed_origin" in cfg) << 4
        | (max_age is not None) << 5
        | isinstance(max_age, str) << 6
    )
    out = bytes([flags]) + profile(cfg) + strings(cfg.get("allowed_origins", []))
    if "fixed_origin" in cfg:
        out += string(cfg["fixed_origin"].encode())
    out += names(cfg.get("allowed_methods", []), {"*": 1})
    out += names(cfg.get("allowed_headers", []), {"*": 1, "mirror": 2})
    out += names(cfg.get("exposed_headers", []), {"*": 1})
    if isinstance(max_age, str):
        out += string(max_age.encode())
    elif max_age is not None:
        out += struct.pack("<I", max_age)
    return out + struct.pack("<H", cfg.get("preflight_status", 204))


FIELDS = ["origin", "request_method", "request_headers", "request_private_network"]


def request(req):
    flags = sum(1 << i for i, f in enumerate(FIELDS) if f in req)
    if "origin_verdict" in req:
        flags |= 1 << 4 | req["origin_verdict"] << 5
    out = bytes([flags]) + string(value(req["method"]))
    return out + b"".join(string(value(req[f])) for f in FIELDS if f in req)


# A policy document's keys (docs/policy.md) as the input layout's settings.
DOCUMENT_KEYS = {
    "profile": "profile",
    "allowOrigins": "allowed_origins",
    "fixedOrigin": "fixed_origin",
    "allowMethods": "allowed_methods",
    "allowHeaders": "allowed_headers",
    "exposeHeaders": "exposed_headers",
    "allowCredentials": "credentials",
    "allowPrivateNetwork": "private_network",
    "originVerdict": "origin_verdict",
    "preflightContinue": "preflight_continue",
    "maxAge": "max_age",
    "preflightStatus": "preflight_status",
}


def settings(document):
    """The settings of a vector's policy document that the input layout
    encodes (its top-level policy; a key of an unexpected type is left out,
    as are the keys the layout has no place for), or None when the case has
    no document object."""
    if not isinstance(document, dict):
        return None
    cfg = {}
    for key, name in DOCUMENT_KEYS.items():
        v = document.get(key)
        if v is None:
            continue
        if name in ("allowed_origins",) and not (isinstance(v, list) and all(isinstance(o, str) for o in v)):
            continue
        if name in ("allowed_methods", "allowed_headers", "exposed_headers"):
            if not (v in ("*", "mirror") or (isinstance(v, list) and all(isinstance(o, str) for o in v))):
                continue
        if name in ("credentials", "private_network", "origin_verdict", "preflight_continue") and not isinstance(v, bool):
            continue
        if name == "max_age" and (isinstance(v, bool) or not isinstance(v, (int, str)) or (isinstance(v, int) and not 0 <= v < 2**32)):
            continue
        if name == "preflight_status" and (isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2**16):
            continue
        if name in ("profile", "fixed_origin") and not isinstance(v, str):
            continue
        if name == "profile" and v not in PROFILES:
            continue
        cfg[name] = v
    return cfg


def seeds(case):
    """(target, bytes) pairs for one vector case."""
    cfg = settings(case.get("policy"))
    if cfg is None:
        return []
    out = [("policy_build", config(cfg))]
    req = case.get("request")
    if req is None:
        return out
    out.append(("evaluate", config(cfg) + request(req)))
    origins = cfg.get("allowed_origins", [])
    if origins and "origin" in req:
        flags = cfg.get("credentials", False) | cfg.get("origin_verdict", False) << 1
        flags |= bool(req.get("origin_verdict")) << 2
        out.append(("origin", bytes([flags]) + profile(cfg) + string(origins[0].encode()) + value(req["origin"])))
    if "request_headers" in req:
        flags = int(cfg.get("credentials", False))
        head = bytes([flags]) + profile(cfg) + names(cfg.get("allowed_headers", []), {"*": 1, "mirror": 2})
        out.append(("request_headers", head + value(req["request_headers"])))
    return out


def main():
    per_file = []
    for path in sorted(VECTORS.glob("*.json")):
        cases = json.loads(path.read_text())["cases"]
        per_file.append([s for c in cases for s in seeds(c)])
    picked = {}
    # Round-robin over the files, so every topic gives seeds.
    for i in range(max(map(len, per_file))):
        for file_seeds in per_file:
            if i < len(file_seeds):
                target, data = file_seeds[i]
                bucket = picked.setdefault(target, {})
                if len(bucket) < PER_TARGET:
                    bucket[hashlib.sha1(data).hexdigest()] = data
    for target, bucket in sorted(picked.items()):
        directory = FUZZ / "corpus" / target
        directory.mkdir(parents=True, exist_ok=True)
        # Only the seeds this script wrote (named by their SHA-1) are
        # replaced; seeds added by hand under other names stay.
        for old in directory.iterdir():
            if re.fullmatch(r"[0-9a-f]{40}", old.name):
                old.unlink()
        for name, data in bucket.items():
            (directory / name).write_bytes(data)
        print(f"{target}: {len(bucket)} seeds")


if __name__ == "__main__":
    main()
