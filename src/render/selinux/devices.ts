/**
 * Device node types for when the host could not look them up (no matchpathcon). Each entry was
 * checked with `matchpathcon` against refpolicy 2.20221101 (test/render-selinux-toolchain compares
 * the table with the live lookup); Fedora labels some nodes differently (e.g. /dev/ttyUSB* is
 * usbtty_device_t there), which is why a lookup on the target host wins when available.
 */

export interface DeviceType {
  type: string;
  /** `blk_file` for block devices, else `chr_file`. */
  cls: 'chr_file' | 'blk_file';
}

/** Type of device nodes no entry matches: refpolicy's and Fedora's generic device type. */
export const DEFAULT_DEVICE_TYPE = 'device_t';

const TABLE: [RegExp, string, DeviceType['cls']][] = [
  [/^\/dev\/net\/tun$/, 'tun_tap_device_t', 'chr_file'],
  [/^\/dev\/fuse$/, 'fuse_device_t', 'chr_file'],
  [/^\/dev\/kvm$/, 'kvm_device_t', 'chr_file'],
  [/^\/dev\/vhost-net$/, 'vhost_device_t', 'chr_file'],
  [/^\/dev\/dri\/.+$/, 'dri_device_t', 'chr_file'],
  [/^\/dev\/snd\/.+$/, 'sound_device_t', 'chr_file'],
  [/^\/dev\/video[0-9]+$/, 'v4l_device_t', 'chr_file'],
  [/^\/dev\/input\/.+$/, 'event_device_t', 'chr_file'],
  [/^\/dev\/uinput$/, 'event_device_t', 'chr_file'],
  [/^\/dev\/tty(S|USB|ACM)[0-9]+$/, 'tty_device_t', 'chr_file'],
  [/^\/dev\/i2c-[0-9]+$/, 'tty_device_t', 'chr_file'],
  [/^\/dev\/gpiochip[0-9]+$/, 'gpiochip_device_t', 'chr_file'],
  [/^\/dev\/bus\/usb\/.+$/, 'usb_device_t', 'chr_file'],
  [/^\/dev\/hidraw[0-9]+$/, 'usb_device_t', 'chr_file'],
  [/^\/dev\/nvidia.*$/, 'xserver_misc_device_t', 'chr_file'],
  [/^\/dev\/tpm[0-9]+$/, 'tpm_device_t', 'chr_file'],
  [/^\/dev\/watchdog[0-9]*$/, 'watchdog_device_t', 'chr_file'],
  [/^\/dev\/rtc[0-9]*$/, 'clock_device_t', 'chr_file'],
  [/^\/dev\/hwrng$/, 'random_device_t', 'chr_file'],
  [/^\/dev\/random$/, 'random_device_t', 'chr_file'],
  [/^\/dev\/urandom$/, 'urandom_device_t', 'chr_file'],
  [/^\/dev\/null$/, 'null_device_t', 'chr_file'],
  [/^\/dev\/zero$/, 'zero_device_t', 'chr_file'],
  [/^\/dev\/mem$/, 'memory_device_t', 'chr_file'],
  [/^\/dev\/kmsg$/, 'kmsg_device_t', 'chr_file'],
  [/^\/dev\/ppp$/, 'ppp_device_t', 'chr_file'],
  [/^\/dev\/sg[0-9]+$/, 'scsi_generic_device_t', 'chr_file'],
  [/^\/dev\/vfio\/.+$/, 'vfio_device_t', 'chr_file'],
  [/^\/dev\/loop-control$/, 'loop_control_device_t', 'chr_file'],
  [/^\/dev\/mapper\/control$/, 'lvm_control_t', 'chr_file'],
  [/^\/dev\/(sd[a-z]+|vd[a-z]+|xvd[a-z]+|nvme[0-9]+n[0-9]+)(p?[0-9]+)?$/, 'fixed_disk_device_t', 'blk_file'],
  [/^\/dev\/loop[0-9]+$/, 'fixed_disk_device_t', 'blk_file'],
  [/^\/dev\/(sr[0-9]+|mmcblk[0-9]+(p[0-9]+)?)$/, 'removable_device_t', 'blk_file'],
];

/** Paths the table knows, for the comparison test. */
export const DEVICE_TABLE_SAMPLES = [
  '/dev/net/tun', '/dev/fuse', '/dev/kvm', '/dev/vhost-net', '/dev/dri/card0', '/dev/dri/renderD128',
  '/dev/snd/controlC0', '/dev/video0', '/dev/input/event0', '/dev/uinput', '/dev/ttyS0', '/dev/ttyUSB0',
  '/dev/ttyACM0', '/dev/i2c-1', '/dev/gpiochip0', '/dev/bus/usb/001/002', '/dev/hidraw0', '/dev/nvidia0',
  '/dev/nvidiactl', '/dev/tpm0', '/dev/watchdog', '/dev/rtc0', '/dev/hwrng', '/dev/random', '/dev/urandom',
  '/dev/null', '/dev/zero', '/dev/mem', '/dev/kmsg', '/dev/ppp', '/dev/sg0', '/dev/vfio/vfio',
  '/dev/loop-control', '/dev/mapper/control', '/dev/sda', '/dev/sda1', '/dev/vda', '/dev/nvme0n1',
  '/dev/nvme0n1p2', '/dev/loop0', '/dev/sr0', '/dev/mmcblk0',
];

/** Types that label block devices, to pick the class when the type came from a lookup. */
const BLOCK_TYPES = new Set(['fixed_disk_device_t', 'removable_device_t']);

export function embeddedDeviceType(hostPath: string): DeviceType | undefined {
  for (const [re, type, cls] of TABLE) if (re.test(hostPath)) return {type, cls};
  return undefined;
}

export function deviceClass(hostPath: string, type: string): DeviceType['cls'] {
  return BLOCK_TYPES.has(type) || embeddedDeviceType(hostPath)?.cls === 'blk_file' ? 'blk_file' : 'chr_file';
}
