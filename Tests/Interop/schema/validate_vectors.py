#!/usr/bin/env python3
"""Validates every committed vector file against Spec/bone_vectors_v1.schema.json with an
independent JSON Schema implementation (the `jsonschema` package), as CI does.
Prints 'N passed, N failed' and exits non-zero on any failure."""
import glob
import json
import os
import sys

import jsonschema

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
schema = json.load(open(os.path.join(root, "Spec", "bone_vectors_v1.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
passed = failed = 0
for path in sorted(glob.glob(os.path.join(root, "Vectors", "*_v1.json"))):
    try:
        jsonschema.validate(json.load(open(path)), schema, cls=jsonschema.Draft202012Validator)
        passed += 1
    except jsonschema.ValidationError as error:
        failed += 1
        print(f"{os.path.basename(path)}: {error.message} at {list(error.absolute_path)}", file=sys.stderr)
print(f"schema: {passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
