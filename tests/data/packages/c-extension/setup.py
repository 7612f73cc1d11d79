from setuptools import Extension, setup

setup(ext_modules=[Extension("fastmath._kernels", ["src/fastmath/_kernels.cpp"])])
