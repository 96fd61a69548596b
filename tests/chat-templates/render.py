#!/usr/bin/env python3
"""Render chat conversations with a model's own Jinja chat template, the way Hugging Face transformers does.

Used by tests/Avocado.Text.Tests/Chat as the reference the C# chat formats (src/Avocado.Text/Chat) must match
byte for byte. The environment reproduces transformers' `apply_chat_template` set-up:
  * jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with the loopcontrols
    extension;
  * a `tojson` filter that is json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)
    (transformers replaces Jinja's HTML-escaping one);
  * globals `raise_exception(msg)` (raises TemplateError) and `strftime_now(fmt)` (here: the case's "date", so
    renders are reproducible; transformers uses the current local time);
  * the tokenizer's special tokens (bos_token, eos_token, unk_token, pad_token) as template variables.

Usage: python3 render.py < request.json > response.json
request  = {"template": SOURCE, "cases": [CASE, ...]}
SOURCE   = {"tokenizer_config": "path/to/tokenizer_config.json"}          (chat_template field + special tokens)
         | {"jinja_file": "path/to/template.jinja"}
         | {"git_bundle": "path/to/repo.bundle", "path": "path/inside/repo.jinja", "cache_dir": "dir"}
           (reads one file of the bundle's HEAD with git; cached in cache_dir under the commit id)
CASE     = {"messages": [...], "tools": [...]?, "add_generation_prompt": bool, "date": "YYYY-MM-DD"?,
            "kwargs": {...}?}                                                (kwargs: enable_thinking, reasoning_effort, ...)
response = {"ok": true, "template_sha256": "...", "results": [{"ok": true, "text": "..."} | {"ok": false, "error": "..."}]}
         | {"ok": false, "error": "..."}                                     (the template could not be loaded)
"""
import datetime
import hashlib
import json
import os
import subprocess
import sys
import tempfile


def fail(message):
    json.dump({"ok": False, "error": message}, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")
    sys.exit(0)


try:
    import jinja2
    import jinja2.ext
    from jinja2.exceptions import TemplateError
    from jinja2.sandbox import ImmutableSandboxedEnvironment
except ImportError:
    fail("python3 cannot import jinja2: install it (Debian: apt-get install python3-jinja2; or pip install jinja2)")


def special_token(value):
    if isinstance(value, dict):
        return value.get("content")
    return value


def load_from_git_bundle(bundle, path, cache_dir):
    if not os.path.isfile(bundle):
        fail(f"git bundle not found: {bundle}")
    try:
        heads = subprocess.run(["git", "bundle", "list-heads", bundle], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        fail(f"cannot list the heads of {bundle} with git: {e}")
    commit = next((line.split()[0] for line in heads.splitlines() if line.endswith(" HEAD")), None)
    if commit is None:
        fail(f"{bundle} has no HEAD")
    cached = os.path.join(cache_dir, commit[:12] + "-" + path.replace("/", "_"))
    if os.path.isfile(cached):
        with open(cached, encoding="utf-8") as f:
            return f.read()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(["git", "init", "-q", "--bare", tmp], check=True, capture_output=True)
            subprocess.run(["git", "-C", tmp, "fetch", "-q", os.path.abspath(bundle), "HEAD"], check=True, capture_output=True)
            text = subprocess.run(["git", "-C", tmp, "show", f"{commit}:{path}"], check=True, capture_output=True).stdout.decode("utf-8")
        except (OSError, subprocess.CalledProcessError) as e:
            fail(f"cannot read {path} from {bundle} with git: {e}")
    os.makedirs(cache_dir, exist_ok=True)
    with open(cached + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(cached + ".tmp", cached)
    return text


def load_template(source):
    specials = {}
    if "tokenizer_config" in source:
        path = source["tokenizer_config"]
        if not os.path.isfile(path):
            fail(f"tokenizer_config.json not found: {path}")
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
        template = config.get("chat_template")
        if isinstance(template, list):  # [{"name": "default", "template": ...}, ...]
            template = next((t["template"] for t in template if t.get("name") == "default"), None)
        if not isinstance(template, str):
            fail(f"{path} has no chat_template string")
        for key in ("bos_token", "eos_token", "unk_token", "pad_token"):
            if config.get(key) is not None:
                specials[key] = special_token(config[key])
        return template, specials
    if "jinja_file" in source:
        with open(source["jinja_file"], encoding="utf-8") as f:
            return f.read(), specials
    if "git_bundle" in source:
        return load_from_git_bundle(source["git_bundle"], source["path"], source["cache_dir"]), specials
    fail("unknown template source: " + json.dumps(source))


def make_environment(date_holder):
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return date_holder[0].strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    request = json.load(sys.stdin)
    template_text, specials = load_template(request["template"])
    date_holder = [datetime.datetime.now()]
    env = make_environment(date_holder)
    try:
        template = env.from_string(template_text)
    except TemplateError as e:
        fail(f"the chat template does not compile: {e}")
    results = []
    for case in request["cases"]:
        if case.get("date"):
            date_holder[0] = datetime.datetime.strptime(case["date"], "%Y-%m-%d")
        else:
            date_holder[0] = datetime.datetime.now()
        variables = dict(specials)
        variables.update(case.get("kwargs") or {})
        variables["messages"] = case["messages"]
        variables["tools"] = case.get("tools")
        variables["documents"] = None
        variables["add_generation_prompt"] = bool(case.get("add_generation_prompt"))
        try:
            results.append({"ok": True, "text": template.render(**variables)})
        except Exception as e:  # TemplateError from raise_exception, UndefinedError, TypeError from bad data
            results.append({"ok": False, "error": f"{type(e).__name__}: {e}"})
    sha = hashlib.sha256(template_text.encode("utf-8")).hexdigest()
    json.dump({"ok": True, "template_sha256": sha, "results": results}, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
