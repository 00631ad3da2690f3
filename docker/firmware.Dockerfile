# A stand-in for your firmware's test container: Debian's python3 and the example firmware and
# test server (examples/compose/). docker/compose.yaml and docker/kubernetes/firmware-job.yaml run
# it next to the emulator; replace it with your own build (a host build of the driver, a HIL stub).
#
#   docker build -f docker/firmware.Dockerfile -t spwf04emu-firmware examples/compose
#                                            (from the repository root; the context is the example)
#
# docker/compose-test.sh builds it with podman from the same local base image as the emulator.
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10002 --no-create-home --shell /usr/sbin/nologin firmware
COPY *.py /examples/
USER firmware
CMD ["python3", "/examples/firmware.py"]
