/**
 * What the Docker engine says, the independent source the end-to-end flows hold the tree and the webviews
 * against.
 */
import { execFileSync } from 'child_process';

/** `docker inspect -f format name`, trimmed. */
export function inspect(format: string, name: string): string {
  return execFileSync('docker', ['inspect', '-f', format, name], { encoding: 'utf8' }).trim();
}

/** A memory limit Docker reports in bytes, as the tree and the overview show it ("64.0"). */
export const mebibytes = (bytes: string | number): string => (Number(bytes) / 2 ** 20).toFixed(1);

/**
 * Running Docker containers whose image includes `image`'s first layer. Images are looked up from
 * `docker ps`, never by inspecting each container: dockerd can hold a container's lock for minutes (the
 * hostile rig's containers do), and an image inspect does not wait for it.
 */
export function containersOnBaseLayer(image: string): number {
  const base = execFileSync('docker', ['image', 'inspect', '-f', '{{index .RootFS.Layers 0}}', image], { encoding: 'utf8' }).trim();
  const images = execFileSync('docker', ['ps', '--format', '{{.Image}}'], { encoding: 'utf8', timeout: 20_000 })
    .split('\n')
    .filter(Boolean);
  const layers = new Map<string, string>();
  const layersOf = (image: string): string => {
    if (!layers.has(image))
      layers.set(
        image,
        execFileSync('docker', ['image', 'inspect', '-f', '{{json .RootFS.Layers}}', image], { encoding: 'utf8', timeout: 20_000 }),
      );
    return layers.get(image)!;
  };
  return images.filter((image) => layersOf(image).includes(base)).length;
}

export const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
