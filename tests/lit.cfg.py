# lit configuration for the Zoo test suite. A .zoo test is both input and expectation.
import os
import lit.formats

config.name = "zoo"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".zoo", ".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.zoo_obj_root, "tests")

config.substitutions.append(("%zooc", os.path.join(config.zoo_bin_dir, "zooc")))
config.substitutions.append(("%stdlib", os.path.join(config.zoo_src_root, "stdlib")))
config.substitutions.append(("%zoo_registry", os.path.join(config.zoo_src_root, "zoo")))
# The registry's libraries without the records that run work of their own (the bundled serving
# simulations, scenarios, training runs and validation rows): for tests of one record's output.
config.substitutions.append(("%zoo_library", " ".join(
    os.path.join(config.zoo_src_root, "zoo", d)
    for d in ("models", "hardware", "economics", "systems"))))
config.substitutions.append(("%src_root", config.zoo_src_root))
config.substitutions.append(("%zoo_build", config.zoo_obj_root))
config.substitutions.append(("%cmake", config.cmake))
config.substitutions.append(("%generator", config.generator))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.substitutions.append(("%cxx", config.cxx))
config.substitutions.append(("%zoo_include", config.zoo_include_dir))
config.substitutions.append(("%python", "python3"))

# Debian has no unversioned FileCheck/not on PATH: put llvm-14's bin directory first.
config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.environment.get("PATH", "")])
for v in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
    if v in os.environ:
        config.environment[v] = os.environ[v]

# The stdlib cache (docs/language.md): a directory of the build tree, never the user's, shared by
# the tests as by concurrent runs of zooc. `lit --param zoo_cache=off` runs the suite without it.
zoo_cache = lit_config.params.get("zoo_cache", os.path.join(config.test_exec_root, "zoo-cache"))
config.environment["ZOO_CACHE_DIR"] = "" if zoo_cache == "off" else zoo_cache
