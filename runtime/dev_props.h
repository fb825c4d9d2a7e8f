/*
 * Command-line overrides of device properties: `--disk NAME=PATH[,ro]`
 * (and the like for other devices) set properties of the machine's device
 * NAME at run time; vibe_dev_prop_u64()/vibe_dev_prop_str() (device.h)
 * return an override before the machine file's value.
 */
#ifndef VIBE_DEV_PROPS_H
#define VIBE_DEV_PROPS_H

struct vibe_machine_desc;

/* Set property `key` of device `name` (which must exist and be of type
 * `type`) to `val` (a string; numbers and booleans are parsed when read).
 * `opt` names the option for messages. 0, or -1 after one clear line. */
int vibe_dev_override(const struct vibe_machine_desc *m, const char *opt, const char *name,
		      const char *type, const char *key, const char *val);

/* --disk NAME=PATH[,ro]: path (and readonly) of virtio-blk device NAME.
 * 0, or -1 after one clear line (vibevmm then exits 1). */
int vibe_cli_disk(const struct vibe_machine_desc *m, const char *arg);

/* --net NAME=tap:IFNAME: the host tap of virtio-net device NAME (its
 * `tap` property). --console NAME=stdio|none|file:PATH: where
 * virtio-console NAME's output goes (its `output` property; the device
 * checks the value). 0, or -1 after one clear line. */
int vibe_cli_net(const struct vibe_machine_desc *m, const char *arg);
int vibe_cli_console(const struct vibe_machine_desc *m, const char *arg);

#endif
