"""Builds the sqlite_corpus package from the checkout, offline.

    make                        # in the top directory: dist/corpus.so
    pip install ./python        # Debian 12's pip: no network needed

No pyproject.toml on purpose: with one, pip builds in an isolated
environment whose setuptools it downloads from PyPI, which fails
offline.  Without one, pip 23 (Debian 12) builds with the setuptools and
wheel installed (python3-setuptools, python3-wheel).  Newer pips, which
always isolate, need `pip install --no-build-isolation ./python`, and
then the wheel package (python3-wheel) unless setuptools is >= 70.1:
without either, "invalid command 'bdist_wheel'".

The build copies into the package the shared library (../dist/corpus.so,
or the file SQLITE_CORPUS_LIB names), the recipes of ../sql and
../VERSION; the version is that file's.
"""
import glob
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def version():
    with open(os.path.join(TOP, "VERSION"), encoding="utf-8") as f:
        return f.read().strip()


class build_with_library(build_py):
    """build_py, and the library, the recipes and VERSION into the package."""

    def run(self):
        super().run()
        lib = os.environ.get("SQLITE_CORPUS_LIB") or os.path.join(TOP, "dist", "corpus.so")
        if not lib.endswith(".so"):
            lib += ".so"
        if not os.path.isfile(lib):
            raise SystemExit(
                "sqlite_corpus: %s is not built: run `make` in %s first" % (lib, TOP))
        dest = os.path.join(self.build_lib, "sqlite_corpus")
        self.mkpath(os.path.join(dest, "sql"))
        # copied always (not "if newer"), so that a build from another
        # library never keeps the one an earlier build copied
        shutil.copyfile(lib, os.path.join(dest, "corpus.so"))
        for recipe in sorted(glob.glob(os.path.join(TOP, "sql", "*.sql"))):
            shutil.copyfile(recipe, os.path.join(dest, "sql", os.path.basename(recipe)))
        shutil.copyfile(os.path.join(TOP, "VERSION"), os.path.join(dest, "VERSION"))


class BinaryDistribution(Distribution):
    """A wheel for this platform and Python: it holds a shared library."""

    def has_ext_modules(self):
        return True


with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
    long_description = f.read()

setup(
    name="sqlite-corpus",
    version=version(),
    description="sqlite-corpus, a SQLite extension for LLM training and "
                "evaluation data, from Python: load() and helpers",
    long_description=long_description,
    long_description_content_type="text/markdown",
    license="MIT",
    packages=["sqlite_corpus"],
    python_requires=">=3.8",
    cmdclass={"build_py": build_with_library},
    distclass=BinaryDistribution,
    zip_safe=False,
)
