# -*- Python -*-
# lit configuration of Kiln's FileCheck tests.

import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "Kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
# unit, e2e, fuzz and random hold GoogleTest suites, fuzz corpora and the
# random-graph tester (their own CTest tests), not lit tests.
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "unit", "e2e", "fuzz", "random"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")

config.substitutions.append(("%kiln_src_root", config.kiln_src_root))

# Graphviz renders `kilnc emit --dot x.svg`; its tests run where it is.
if shutil.which("dot"):
    config.available_features.add("graphviz")

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.kiln_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["kiln-opt", "kilnc"], tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.kiln_tools_dir, append_path=True)
