/** SELinux backend: udica-style CIL modules, one block per service over a shared base. */
export {renderSelinux, selinuxServices, selinuxModulePath, SELINUX_BASE_PATH, CONTAINER_FILE_TYPE, UNKNOWN_HOST_FILE_TYPE} from './render.js';
export type {SelinuxRenderContext} from './render.js';
export {selinuxBlockName, selinuxProcessType, assignBlockNames, BASE_BLOCK, isCilIdentifier} from './names.js';
export {parseSemanagePortList, portType, portTypesForRange, UNLABELED_PORT_TYPE} from './ports.js';
export type {PortContext, PortProtocol, PortSource, PortTypes} from './ports.js';
export {cilCommentText} from './cil.js';
export {baseTemplate, embeddedPortTable, DEFAULT_SELINUX_FLAVOR, SELINUX_FLAVORS} from './template.js';
export type {SelinuxFlavor} from './template.js';
export {embeddedDeviceType, DEVICE_TABLE_SAMPLES} from './devices.js';
