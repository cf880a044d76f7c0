/* eslint-disable */
// Generated from server/protocolParams.schema.json by scripts/gen-schema.ts (npm run schema): do not edit.
"use strict";
exports.initialize = validate17;
const schema12 = {"type":"object","properties":{"clientVersion":{"type":"string"},"protocolVersion":{"type":"number"},"watchIntervalMs":{"type":"number","description":"Push `nodescope/changed` notifications at this interval in ms (0 or absent: never)."},"keyedChanges":{"type":"boolean","description":"The client applies keyed changes (`processesUpserted`, `namespacesRemoved`, …) to the last snapshot it was answered; without it the agent replaces namespaces, layers and processes wholesale, as before."}},"required":["clientVersion","protocolVersion"]};

function validate17(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.clientVersion === undefined) && (missing0 = "clientVersion")) || ((data.protocolVersion === undefined) && (missing0 = "protocolVersion"))){
validate17.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema12.required,parentSchema:schema12,data}];
return false;
}
else {
if(data.clientVersion !== undefined){
let data0 = data.clientVersion;
const _errs1 = errors;
if(typeof data0 !== "string"){
validate17.errors = [{instancePath:instancePath+"/clientVersion",schemaPath:"#/properties/clientVersion/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema12.properties.clientVersion.type,parentSchema:schema12.properties.clientVersion,data:data0}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.protocolVersion !== undefined){
let data1 = data.protocolVersion;
const _errs3 = errors;
if(!((typeof data1 == "number") && (isFinite(data1)))){
validate17.errors = [{instancePath:instancePath+"/protocolVersion",schemaPath:"#/properties/protocolVersion/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema12.properties.protocolVersion.type,parentSchema:schema12.properties.protocolVersion,data:data1}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.watchIntervalMs !== undefined){
let data2 = data.watchIntervalMs;
const _errs5 = errors;
if(!((typeof data2 == "number") && (isFinite(data2)))){
validate17.errors = [{instancePath:instancePath+"/watchIntervalMs",schemaPath:"#/properties/watchIntervalMs/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema12.properties.watchIntervalMs.type,parentSchema:schema12.properties.watchIntervalMs,data:data2}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.keyedChanges !== undefined){
let data3 = data.keyedChanges;
const _errs7 = errors;
if(typeof data3 !== "boolean"){
validate17.errors = [{instancePath:instancePath+"/keyedChanges",schemaPath:"#/properties/keyedChanges/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema12.properties.keyedChanges.type,parentSchema:schema12.properties.keyedChanges,data:data3}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate17.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema12.type,parentSchema:schema12,data}];
return false;
}
}
validate17.errors = vErrors;
return errors === 0;
}

exports.snapshot = validate18;
const schema55 = {"type":"object","additionalProperties":{"not":{}}};

function validate18(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
const _errs2 = errors;
validate18.errors = [{instancePath:instancePath+"/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/additionalProperties/not",keyword:"not",params:{},message:"must NOT be valid",schema:schema55.additionalProperties.not,parentSchema:schema55.additionalProperties,data:data[key0]}];
return false;
var valid0 = _errs2 === errors;
if(!valid0){
break;
}
}
}
else {
validate18.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema55.type,parentSchema:schema55,data}];
return false;
}
}
validate18.errors = vErrors;
return errors === 0;
}

exports["layer.scan"] = validate19;
const schema56 = {"type":"object","properties":{"path":{"$ref":"#/definitions/Subject"}},"required":["path"]};
const schema13 = {"type":"string","description":"What a request is about: a container (id, unique id prefix or name), an image, or a path. Never empty. The agent checks every request's params against schemas made from these types (server/protocolParams.schema.json, `npm run schema`); the annotations below are part of them.","minLength":1};

function validate19(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.path === undefined) && (missing0 = "path")){
validate19.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema56.required,parentSchema:schema56,data}];
return false;
}
else {
if(data.path !== undefined){
let data0 = data.path;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate19.errors = [{instancePath:instancePath+"/path",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate19.errors = [{instancePath:instancePath+"/path",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
}
}
}
else {
validate19.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema56.type,parentSchema:schema56,data}];
return false;
}
}
validate19.errors = vErrors;
return errors === 0;
}

exports.whence = validate20;
const schema58 = {"type":"object","properties":{"container":{"$ref":"#/definitions/Subject"},"path":{"$ref":"#/definitions/Subject"}},"required":["container","path"]};

function validate20(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.container === undefined) && (missing0 = "container")) || ((data.path === undefined) && (missing0 = "path"))){
validate20.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema58.required,parentSchema:schema58,data}];
return false;
}
else {
if(data.container !== undefined){
let data0 = data.container;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate20.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate20.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.path !== undefined){
let data1 = data.path;
const _errs4 = errors;
const _errs5 = errors;
if(errors === _errs5){
if(typeof data1 === "string"){
if(data1.length < 1){
validate20.errors = [{instancePath:instancePath+"/path",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data1}];
return false;
}
}
else {
validate20.errors = [{instancePath:instancePath+"/path",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data1}];
return false;
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate20.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema58.type,parentSchema:schema58,data}];
return false;
}
}
validate20.errors = vErrors;
return errors === 0;
}

exports.pagecache = validate21;
const schema61 = {"type":"object","properties":{"target":{"$ref":"#/definitions/Subject"},"top":{"$ref":"#/definitions/Count"}},"required":["target"]};
const schema17 = {"type":"integer","description":"A count, a layer index or a process id.","minimum":0};

function validate21(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.target === undefined) && (missing0 = "target")){
validate21.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema61.required,parentSchema:schema61,data}];
return false;
}
else {
if(data.target !== undefined){
let data0 = data.target;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate21.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate21.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.top !== undefined){
let data1 = data.top;
const _errs4 = errors;
const _errs5 = errors;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
validate21.errors = [{instancePath:instancePath+"/top",schemaPath:"#/definitions/Count/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema17.type,parentSchema:schema17,data:data1}];
return false;
}
if(errors === _errs5){
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 < 0 || isNaN(data1)){
validate21.errors = [{instancePath:instancePath+"/top",schemaPath:"#/definitions/Count/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema17,data:data1}];
return false;
}
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate21.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema61.type,parentSchema:schema61,data}];
return false;
}
}
validate21.errors = vErrors;
return errors === 0;
}

exports["container.diff"] = validate22;
const schema64 = {"type":"object","properties":{"container":{"$ref":"#/definitions/Subject"},"limit":{"$ref":"#/definitions/Count"}},"required":["container"]};

function validate22(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.container === undefined) && (missing0 = "container")){
validate22.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema64.required,parentSchema:schema64,data}];
return false;
}
else {
if(data.container !== undefined){
let data0 = data.container;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate22.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate22.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.limit !== undefined){
let data1 = data.limit;
const _errs4 = errors;
const _errs5 = errors;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
validate22.errors = [{instancePath:instancePath+"/limit",schemaPath:"#/definitions/Count/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema17.type,parentSchema:schema17,data:data1}];
return false;
}
if(errors === _errs5){
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 < 0 || isNaN(data1)){
validate22.errors = [{instancePath:instancePath+"/limit",schemaPath:"#/definitions/Count/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema17,data:data1}];
return false;
}
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate22.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema64.type,parentSchema:schema64,data}];
return false;
}
}
validate22.errors = vErrors;
return errors === 0;
}

exports["layers.report"] = validate23;
const schema67 = {"type":"object","properties":{"target":{"$ref":"#/definitions/Subject"},"top":{"$ref":"#/definitions/Count"}},"required":["target"]};

function validate23(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.target === undefined) && (missing0 = "target")){
validate23.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema67.required,parentSchema:schema67,data}];
return false;
}
else {
if(data.target !== undefined){
let data0 = data.target;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate23.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate23.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.top !== undefined){
let data1 = data.top;
const _errs4 = errors;
const _errs5 = errors;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
validate23.errors = [{instancePath:instancePath+"/top",schemaPath:"#/definitions/Count/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema17.type,parentSchema:schema17,data:data1}];
return false;
}
if(errors === _errs5){
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 < 0 || isNaN(data1)){
validate23.errors = [{instancePath:instancePath+"/top",schemaPath:"#/definitions/Count/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema17,data:data1}];
return false;
}
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate23.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema67.type,parentSchema:schema67,data}];
return false;
}
}
validate23.errors = vErrors;
return errors === 0;
}

exports["layers.list"] = validate24;
const schema70 = {"type":"object","properties":{"target":{"$ref":"#/definitions/Subject"},"path":{"$ref":"#/definitions/Subject"},"layer":{"$ref":"#/definitions/Count"},"merged":{"type":"boolean"}},"required":["target"]};

function validate24(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.target === undefined) && (missing0 = "target")){
validate24.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema70.required,parentSchema:schema70,data}];
return false;
}
else {
if(data.target !== undefined){
let data0 = data.target;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate24.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate24.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.path !== undefined){
let data1 = data.path;
const _errs4 = errors;
const _errs5 = errors;
if(errors === _errs5){
if(typeof data1 === "string"){
if(data1.length < 1){
validate24.errors = [{instancePath:instancePath+"/path",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data1}];
return false;
}
}
else {
validate24.errors = [{instancePath:instancePath+"/path",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data1}];
return false;
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.layer !== undefined){
let data2 = data.layer;
const _errs7 = errors;
const _errs8 = errors;
if(!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))){
validate24.errors = [{instancePath:instancePath+"/layer",schemaPath:"#/definitions/Count/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema17.type,parentSchema:schema17,data:data2}];
return false;
}
if(errors === _errs8){
if((typeof data2 == "number") && (isFinite(data2))){
if(data2 < 0 || isNaN(data2)){
validate24.errors = [{instancePath:instancePath+"/layer",schemaPath:"#/definitions/Count/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema17,data:data2}];
return false;
}
}
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.merged !== undefined){
let data3 = data.merged;
const _errs10 = errors;
if(typeof data3 !== "boolean"){
validate24.errors = [{instancePath:instancePath+"/merged",schemaPath:"#/properties/merged/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema70.properties.merged.type,parentSchema:schema70.properties.merged,data:data3}];
return false;
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate24.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema70.type,parentSchema:schema70,data}];
return false;
}
}
validate24.errors = vErrors;
return errors === 0;
}

exports["layers.explore"] = validate25;
const schema25 = {"type":"object","properties":{"target":{"$ref":"#/definitions/Subject","description":"Container (id, unique prefix, name) or image (id, prefix, repository[:tag]; Docker's or containerd's)."},"layer":{"type":"number","description":"The report's layer index: 0 = top-most. Default 0."},"path":{"type":"string","description":"Absolute directory in the container's file system; default \"/\". No `.` or `..` components."},"merged":{"type":"boolean","description":"true (default): the merged view up to and including `layer` (dive's \"aggregated\"); false: the layer alone."},"offset":{"type":"number","description":"Index of the first entry returned, in the filtered list sorted by name (byte order); default 0."},"limit":{"type":"number","description":"Entries per page, 1 to 5000; default 500."},"changesOnly":{"type":"boolean","description":"Leave out U entries (dive's \"changes only\"): what the listed layer does not touch."},"pattern":{"type":"string","description":"Path filter, at most 1024 characters. With any of `* ? [` it is a glob: `*` and `?` within one component, `**` across components, `[abc]`/`[a-z]`/`[!x]` a class; a glob holding `/` is matched against the entry's whole absolute path (`/usr/**.so`), one without against its name (`*.so`). Otherwise it is a case-sensitive substring of the absolute path. Only non-directories are filtered: directories always stay listed, so the tree below them stays reachable."}},"required":["target"]};

function validate25(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.target === undefined) && (missing0 = "target")){
validate25.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema25.required,parentSchema:schema25,data}];
return false;
}
else {
if(data.target !== undefined){
let data0 = data.target;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate25.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate25.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.layer !== undefined){
let data1 = data.layer;
const _errs4 = errors;
if(!((typeof data1 == "number") && (isFinite(data1)))){
validate25.errors = [{instancePath:instancePath+"/layer",schemaPath:"#/properties/layer/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema25.properties.layer.type,parentSchema:schema25.properties.layer,data:data1}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.path !== undefined){
let data2 = data.path;
const _errs6 = errors;
if(typeof data2 !== "string"){
validate25.errors = [{instancePath:instancePath+"/path",schemaPath:"#/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema25.properties.path.type,parentSchema:schema25.properties.path,data:data2}];
return false;
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.merged !== undefined){
let data3 = data.merged;
const _errs8 = errors;
if(typeof data3 !== "boolean"){
validate25.errors = [{instancePath:instancePath+"/merged",schemaPath:"#/properties/merged/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema25.properties.merged.type,parentSchema:schema25.properties.merged,data:data3}];
return false;
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.offset !== undefined){
let data4 = data.offset;
const _errs10 = errors;
if(!((typeof data4 == "number") && (isFinite(data4)))){
validate25.errors = [{instancePath:instancePath+"/offset",schemaPath:"#/properties/offset/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema25.properties.offset.type,parentSchema:schema25.properties.offset,data:data4}];
return false;
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.limit !== undefined){
let data5 = data.limit;
const _errs12 = errors;
if(!((typeof data5 == "number") && (isFinite(data5)))){
validate25.errors = [{instancePath:instancePath+"/limit",schemaPath:"#/properties/limit/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema25.properties.limit.type,parentSchema:schema25.properties.limit,data:data5}];
return false;
}
var valid0 = _errs12 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.changesOnly !== undefined){
let data6 = data.changesOnly;
const _errs14 = errors;
if(typeof data6 !== "boolean"){
validate25.errors = [{instancePath:instancePath+"/changesOnly",schemaPath:"#/properties/changesOnly/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema25.properties.changesOnly.type,parentSchema:schema25.properties.changesOnly,data:data6}];
return false;
}
var valid0 = _errs14 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.pattern !== undefined){
let data7 = data.pattern;
const _errs16 = errors;
if(typeof data7 !== "string"){
validate25.errors = [{instancePath:instancePath+"/pattern",schemaPath:"#/properties/pattern/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema25.properties.pattern.type,parentSchema:schema25.properties.pattern,data:data7}];
return false;
}
var valid0 = _errs16 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
else {
validate25.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema25.type,parentSchema:schema25,data}];
return false;
}
}
validate25.errors = vErrors;
return errors === 0;
}

exports["files.stat"] = validate26;
const schema76 = {"type":"object","properties":{"container":{"$ref":"#/definitions/Subject"},"path":{"$ref":"#/definitions/Subject"}},"required":["container","path"]};

function validate26(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.container === undefined) && (missing0 = "container")) || ((data.path === undefined) && (missing0 = "path"))){
validate26.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema76.required,parentSchema:schema76,data}];
return false;
}
else {
if(data.container !== undefined){
let data0 = data.container;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate26.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate26.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.path !== undefined){
let data1 = data.path;
const _errs4 = errors;
const _errs5 = errors;
if(errors === _errs5){
if(typeof data1 === "string"){
if(data1.length < 1){
validate26.errors = [{instancePath:instancePath+"/path",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data1}];
return false;
}
}
else {
validate26.errors = [{instancePath:instancePath+"/path",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data1}];
return false;
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate26.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema76.type,parentSchema:schema76,data}];
return false;
}
}
validate26.errors = vErrors;
return errors === 0;
}

exports["files.list"] = validate27;
const schema79 = {"type":"object","properties":{"container":{"$ref":"#/definitions/Subject"},"path":{"$ref":"#/definitions/Subject"}},"required":["container","path"]};

function validate27(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.container === undefined) && (missing0 = "container")) || ((data.path === undefined) && (missing0 = "path"))){
validate27.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema79.required,parentSchema:schema79,data}];
return false;
}
else {
if(data.container !== undefined){
let data0 = data.container;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate27.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate27.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.path !== undefined){
let data1 = data.path;
const _errs4 = errors;
const _errs5 = errors;
if(errors === _errs5){
if(typeof data1 === "string"){
if(data1.length < 1){
validate27.errors = [{instancePath:instancePath+"/path",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data1}];
return false;
}
}
else {
validate27.errors = [{instancePath:instancePath+"/path",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data1}];
return false;
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate27.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema79.type,parentSchema:schema79,data}];
return false;
}
}
validate27.errors = vErrors;
return errors === 0;
}

exports["files.read"] = validate28;
const schema82 = {"type":"object","properties":{"container":{"$ref":"#/definitions/Subject"},"path":{"$ref":"#/definitions/Subject"}},"required":["container","path"]};

function validate28(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.container === undefined) && (missing0 = "container")) || ((data.path === undefined) && (missing0 = "path"))){
validate28.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema82.required,parentSchema:schema82,data}];
return false;
}
else {
if(data.container !== undefined){
let data0 = data.container;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate28.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate28.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.path !== undefined){
let data1 = data.path;
const _errs4 = errors;
const _errs5 = errors;
if(errors === _errs5){
if(typeof data1 === "string"){
if(data1.length < 1){
validate28.errors = [{instancePath:instancePath+"/path",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data1}];
return false;
}
}
else {
validate28.errors = [{instancePath:instancePath+"/path",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data1}];
return false;
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate28.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema82.type,parentSchema:schema82,data}];
return false;
}
}
validate28.errors = vErrors;
return errors === 0;
}

exports["layerFiles.stat"] = validate29;
const schema85 = {"type":"object","properties":{"path":{"type":"string"},"target":{"$ref":"#/definitions/Subject"},"layer":{"$ref":"#/definitions/Count"},"merged":{"type":"boolean"}},"required":["layer","merged","path","target"]};

function validate29(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.layer === undefined) && (missing0 = "layer")) || ((data.merged === undefined) && (missing0 = "merged"))) || ((data.path === undefined) && (missing0 = "path"))) || ((data.target === undefined) && (missing0 = "target"))){
validate29.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema85.required,parentSchema:schema85,data}];
return false;
}
else {
if(data.path !== undefined){
let data0 = data.path;
const _errs1 = errors;
if(typeof data0 !== "string"){
validate29.errors = [{instancePath:instancePath+"/path",schemaPath:"#/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema85.properties.path.type,parentSchema:schema85.properties.path,data:data0}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.target !== undefined){
let data1 = data.target;
const _errs3 = errors;
const _errs4 = errors;
if(errors === _errs4){
if(typeof data1 === "string"){
if(data1.length < 1){
validate29.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data1}];
return false;
}
}
else {
validate29.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data1}];
return false;
}
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.layer !== undefined){
let data2 = data.layer;
const _errs6 = errors;
const _errs7 = errors;
if(!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))){
validate29.errors = [{instancePath:instancePath+"/layer",schemaPath:"#/definitions/Count/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema17.type,parentSchema:schema17,data:data2}];
return false;
}
if(errors === _errs7){
if((typeof data2 == "number") && (isFinite(data2))){
if(data2 < 0 || isNaN(data2)){
validate29.errors = [{instancePath:instancePath+"/layer",schemaPath:"#/definitions/Count/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema17,data:data2}];
return false;
}
}
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.merged !== undefined){
let data3 = data.merged;
const _errs9 = errors;
if(typeof data3 !== "boolean"){
validate29.errors = [{instancePath:instancePath+"/merged",schemaPath:"#/properties/merged/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema85.properties.merged.type,parentSchema:schema85.properties.merged,data:data3}];
return false;
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate29.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema85.type,parentSchema:schema85,data}];
return false;
}
}
validate29.errors = vErrors;
return errors === 0;
}

exports["layerFiles.list"] = validate30;
const schema88 = {"type":"object","properties":{"path":{"type":"string"},"target":{"$ref":"#/definitions/Subject"},"layer":{"$ref":"#/definitions/Count"},"merged":{"type":"boolean"}},"required":["layer","merged","path","target"]};

function validate30(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.layer === undefined) && (missing0 = "layer")) || ((data.merged === undefined) && (missing0 = "merged"))) || ((data.path === undefined) && (missing0 = "path"))) || ((data.target === undefined) && (missing0 = "target"))){
validate30.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema88.required,parentSchema:schema88,data}];
return false;
}
else {
if(data.path !== undefined){
let data0 = data.path;
const _errs1 = errors;
if(typeof data0 !== "string"){
validate30.errors = [{instancePath:instancePath+"/path",schemaPath:"#/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema88.properties.path.type,parentSchema:schema88.properties.path,data:data0}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.target !== undefined){
let data1 = data.target;
const _errs3 = errors;
const _errs4 = errors;
if(errors === _errs4){
if(typeof data1 === "string"){
if(data1.length < 1){
validate30.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data1}];
return false;
}
}
else {
validate30.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data1}];
return false;
}
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.layer !== undefined){
let data2 = data.layer;
const _errs6 = errors;
const _errs7 = errors;
if(!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))){
validate30.errors = [{instancePath:instancePath+"/layer",schemaPath:"#/definitions/Count/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema17.type,parentSchema:schema17,data:data2}];
return false;
}
if(errors === _errs7){
if((typeof data2 == "number") && (isFinite(data2))){
if(data2 < 0 || isNaN(data2)){
validate30.errors = [{instancePath:instancePath+"/layer",schemaPath:"#/definitions/Count/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema17,data:data2}];
return false;
}
}
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.merged !== undefined){
let data3 = data.merged;
const _errs9 = errors;
if(typeof data3 !== "boolean"){
validate30.errors = [{instancePath:instancePath+"/merged",schemaPath:"#/properties/merged/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema88.properties.merged.type,parentSchema:schema88.properties.merged,data:data3}];
return false;
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate30.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema88.type,parentSchema:schema88,data}];
return false;
}
}
validate30.errors = vErrors;
return errors === 0;
}

exports["layerFiles.read"] = validate31;
const schema91 = {"type":"object","properties":{"path":{"type":"string"},"target":{"$ref":"#/definitions/Subject"},"layer":{"$ref":"#/definitions/Count"},"merged":{"type":"boolean"}},"required":["layer","merged","path","target"]};

function validate31(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.layer === undefined) && (missing0 = "layer")) || ((data.merged === undefined) && (missing0 = "merged"))) || ((data.path === undefined) && (missing0 = "path"))) || ((data.target === undefined) && (missing0 = "target"))){
validate31.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema91.required,parentSchema:schema91,data}];
return false;
}
else {
if(data.path !== undefined){
let data0 = data.path;
const _errs1 = errors;
if(typeof data0 !== "string"){
validate31.errors = [{instancePath:instancePath+"/path",schemaPath:"#/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema91.properties.path.type,parentSchema:schema91.properties.path,data:data0}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.target !== undefined){
let data1 = data.target;
const _errs3 = errors;
const _errs4 = errors;
if(errors === _errs4){
if(typeof data1 === "string"){
if(data1.length < 1){
validate31.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data1}];
return false;
}
}
else {
validate31.errors = [{instancePath:instancePath+"/target",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data1}];
return false;
}
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.layer !== undefined){
let data2 = data.layer;
const _errs6 = errors;
const _errs7 = errors;
if(!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))){
validate31.errors = [{instancePath:instancePath+"/layer",schemaPath:"#/definitions/Count/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema17.type,parentSchema:schema17,data:data2}];
return false;
}
if(errors === _errs7){
if((typeof data2 == "number") && (isFinite(data2))){
if(data2 < 0 || isNaN(data2)){
validate31.errors = [{instancePath:instancePath+"/layer",schemaPath:"#/definitions/Count/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema17,data:data2}];
return false;
}
}
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.merged !== undefined){
let data3 = data.merged;
const _errs9 = errors;
if(typeof data3 !== "boolean"){
validate31.errors = [{instancePath:instancePath+"/merged",schemaPath:"#/properties/merged/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema91.properties.merged.type,parentSchema:schema91.properties.merged,data:data3}];
return false;
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate31.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema91.type,parentSchema:schema91,data}];
return false;
}
}
validate31.errors = vErrors;
return errors === 0;
}

exports["enter.options"] = validate32;
const schema94 = {"type":"object","properties":{"container":{"$ref":"#/definitions/Subject"},"pid":{"$ref":"#/definitions/Count"}},"required":["container"]};

function validate32(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.container === undefined) && (missing0 = "container")){
validate32.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema94.required,parentSchema:schema94,data}];
return false;
}
else {
if(data.container !== undefined){
let data0 = data.container;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate32.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate32.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.pid !== undefined){
let data1 = data.pid;
const _errs4 = errors;
const _errs5 = errors;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
validate32.errors = [{instancePath:instancePath+"/pid",schemaPath:"#/definitions/Count/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema17.type,parentSchema:schema17,data:data1}];
return false;
}
if(errors === _errs5){
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 < 0 || isNaN(data1)){
validate32.errors = [{instancePath:instancePath+"/pid",schemaPath:"#/definitions/Count/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema17,data:data1}];
return false;
}
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate32.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema94.type,parentSchema:schema94,data}];
return false;
}
}
validate32.errors = vErrors;
return errors === 0;
}

exports["enter.plan"] = validate33;
const schema97 = {"type":"object","properties":{"container":{"$ref":"#/definitions/Subject"},"pid":{"$ref":"#/definitions/Count"},"shell":{"type":"string"},"user":{"type":"string"},"command":{"type":"array","items":{"type":"string"}},"namespaces":{"type":"array","items":{"$ref":"#/definitions/NsType"}}},"required":["container"]};
const schema43 = {"type":"string","enum":["cgroup","ipc","mnt","net","pid","time","user","uts"]};

function validate33(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.container === undefined) && (missing0 = "container")){
validate33.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema97.required,parentSchema:schema97,data}];
return false;
}
else {
if(data.container !== undefined){
let data0 = data.container;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate33.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate33.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.pid !== undefined){
let data1 = data.pid;
const _errs4 = errors;
const _errs5 = errors;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
validate33.errors = [{instancePath:instancePath+"/pid",schemaPath:"#/definitions/Count/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema17.type,parentSchema:schema17,data:data1}];
return false;
}
if(errors === _errs5){
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 < 0 || isNaN(data1)){
validate33.errors = [{instancePath:instancePath+"/pid",schemaPath:"#/definitions/Count/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema17,data:data1}];
return false;
}
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.shell !== undefined){
let data2 = data.shell;
const _errs7 = errors;
if(typeof data2 !== "string"){
validate33.errors = [{instancePath:instancePath+"/shell",schemaPath:"#/properties/shell/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema97.properties.shell.type,parentSchema:schema97.properties.shell,data:data2}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.user !== undefined){
let data3 = data.user;
const _errs9 = errors;
if(typeof data3 !== "string"){
validate33.errors = [{instancePath:instancePath+"/user",schemaPath:"#/properties/user/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema97.properties.user.type,parentSchema:schema97.properties.user,data:data3}];
return false;
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.command !== undefined){
let data4 = data.command;
const _errs11 = errors;
if(errors === _errs11){
if(Array.isArray(data4)){
var valid3 = true;
const len0 = data4.length;
for(let i0=0; i0<len0; i0++){
let data5 = data4[i0];
const _errs13 = errors;
if(typeof data5 !== "string"){
validate33.errors = [{instancePath:instancePath+"/command/" + i0,schemaPath:"#/properties/command/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema97.properties.command.items.type,parentSchema:schema97.properties.command.items,data:data5}];
return false;
}
var valid3 = _errs13 === errors;
if(!valid3){
break;
}
}
}
else {
validate33.errors = [{instancePath:instancePath+"/command",schemaPath:"#/properties/command/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema97.properties.command.type,parentSchema:schema97.properties.command,data:data4}];
return false;
}
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.namespaces !== undefined){
let data6 = data.namespaces;
const _errs15 = errors;
if(errors === _errs15){
if(Array.isArray(data6)){
var valid4 = true;
const len1 = data6.length;
for(let i1=0; i1<len1; i1++){
let data7 = data6[i1];
const _errs17 = errors;
if(typeof data7 !== "string"){
validate33.errors = [{instancePath:instancePath+"/namespaces/" + i1,schemaPath:"#/definitions/NsType/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema43.type,parentSchema:schema43,data:data7}];
return false;
}
if(!((((((((data7 === "cgroup") || (data7 === "ipc")) || (data7 === "mnt")) || (data7 === "net")) || (data7 === "pid")) || (data7 === "time")) || (data7 === "user")) || (data7 === "uts"))){
validate33.errors = [{instancePath:instancePath+"/namespaces/" + i1,schemaPath:"#/definitions/NsType/enum",keyword:"enum",params:{allowedValues: schema43.enum},message:"must be equal to one of the allowed values",schema:schema43.enum,parentSchema:schema43,data:data7}];
return false;
}
var valid4 = _errs17 === errors;
if(!valid4){
break;
}
}
}
else {
validate33.errors = [{instancePath:instancePath+"/namespaces",schemaPath:"#/properties/namespaces/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema97.properties.namespaces.type,parentSchema:schema97.properties.namespaces,data:data6}];
return false;
}
}
var valid0 = _errs15 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
else {
validate33.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema97.type,parentSchema:schema97,data}];
return false;
}
}
validate33.errors = vErrors;
return errors === 0;
}

exports["debug.plan"] = validate34;
const schema101 = {"type":"object","properties":{"container":{"$ref":"#/definitions/Subject"},"pid":{"$ref":"#/definitions/Count"},"toolbox":{"type":"string"},"command":{"type":"array","items":{"type":"string"}}},"required":["container"]};

function validate34(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.container === undefined) && (missing0 = "container")){
validate34.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema101.required,parentSchema:schema101,data}];
return false;
}
else {
if(data.container !== undefined){
let data0 = data.container;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate34.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate34.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.pid !== undefined){
let data1 = data.pid;
const _errs4 = errors;
const _errs5 = errors;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
validate34.errors = [{instancePath:instancePath+"/pid",schemaPath:"#/definitions/Count/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema17.type,parentSchema:schema17,data:data1}];
return false;
}
if(errors === _errs5){
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 < 0 || isNaN(data1)){
validate34.errors = [{instancePath:instancePath+"/pid",schemaPath:"#/definitions/Count/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema17,data:data1}];
return false;
}
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.toolbox !== undefined){
let data2 = data.toolbox;
const _errs7 = errors;
if(typeof data2 !== "string"){
validate34.errors = [{instancePath:instancePath+"/toolbox",schemaPath:"#/properties/toolbox/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema101.properties.toolbox.type,parentSchema:schema101.properties.toolbox,data:data2}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.command !== undefined){
let data3 = data.command;
const _errs9 = errors;
if(errors === _errs9){
if(Array.isArray(data3)){
var valid3 = true;
const len0 = data3.length;
for(let i0=0; i0<len0; i0++){
let data4 = data3[i0];
const _errs11 = errors;
if(typeof data4 !== "string"){
validate34.errors = [{instancePath:instancePath+"/command/" + i0,schemaPath:"#/properties/command/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema101.properties.command.items.type,parentSchema:schema101.properties.command.items,data:data4}];
return false;
}
var valid3 = _errs11 === errors;
if(!valid3){
break;
}
}
}
else {
validate34.errors = [{instancePath:instancePath+"/command",schemaPath:"#/properties/command/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema101.properties.command.type,parentSchema:schema101.properties.command,data:data3}];
return false;
}
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate34.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema101.type,parentSchema:schema101,data}];
return false;
}
}
validate34.errors = vErrors;
return errors === 0;
}

exports["limit.set"] = validate35;
const schema46 = {"type":"object","properties":{"container":{"$ref":"#/definitions/Subject"},"memoryBytes":{"type":["number","null"]},"pidsMax":{"type":["number","null"]},"cpus":{"type":["number","null"],"description":"CPUs' worth of time per period, e.g. 0.5; written as the CFS quota over the cgroup's own period."},"dryRun":{"type":"boolean","description":"Check everything and say what would change, writing nothing."}},"required":["container"],"description":"New limits for a container's cgroup; an absent key is left as it is, null lifts the limit. A limit below what the container uses now is refused (the kernel would reclaim, OOM-kill or refuse forks)."};

function validate35(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.container === undefined) && (missing0 = "container")){
validate35.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema46.required,parentSchema:schema46,data}];
return false;
}
else {
if(data.container !== undefined){
let data0 = data.container;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate35.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate35.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.memoryBytes !== undefined){
let data1 = data.memoryBytes;
const _errs4 = errors;
if((!((typeof data1 == "number") && (isFinite(data1)))) && (data1 !== null)){
validate35.errors = [{instancePath:instancePath+"/memoryBytes",schemaPath:"#/properties/memoryBytes/type",keyword:"type",params:{type: schema46.properties.memoryBytes.type},message:"must be number,null",schema:schema46.properties.memoryBytes.type,parentSchema:schema46.properties.memoryBytes,data:data1}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.pidsMax !== undefined){
let data2 = data.pidsMax;
const _errs6 = errors;
if((!((typeof data2 == "number") && (isFinite(data2)))) && (data2 !== null)){
validate35.errors = [{instancePath:instancePath+"/pidsMax",schemaPath:"#/properties/pidsMax/type",keyword:"type",params:{type: schema46.properties.pidsMax.type},message:"must be number,null",schema:schema46.properties.pidsMax.type,parentSchema:schema46.properties.pidsMax,data:data2}];
return false;
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.cpus !== undefined){
let data3 = data.cpus;
const _errs8 = errors;
if((!((typeof data3 == "number") && (isFinite(data3)))) && (data3 !== null)){
validate35.errors = [{instancePath:instancePath+"/cpus",schemaPath:"#/properties/cpus/type",keyword:"type",params:{type: schema46.properties.cpus.type},message:"must be number,null",schema:schema46.properties.cpus.type,parentSchema:schema46.properties.cpus,data:data3}];
return false;
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.dryRun !== undefined){
let data4 = data.dryRun;
const _errs10 = errors;
if(typeof data4 !== "boolean"){
validate35.errors = [{instancePath:instancePath+"/dryRun",schemaPath:"#/properties/dryRun/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema46.properties.dryRun.type,parentSchema:schema46.properties.dryRun,data:data4}];
return false;
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
else {
validate35.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema46.type,parentSchema:schema46,data}];
return false;
}
}
validate35.errors = vErrors;
return errors === 0;
}

exports["launch.start"] = validate36;
const schema48 = {"type":"object","properties":{"from":{"$ref":"#/definitions/Subject"},"name":{"type":"string","description":"runc's id and the container's hostname; default \"<from>-test\"."},"command":{"type":"array","items":{"type":"string"},"description":"Default: the argv of `from`'s init process."},"memoryBytes":{"type":["number","null"]},"pidsMax":{"type":["number","null"]},"cpus":{"type":["number","null"]},"readOnly":{"type":"boolean"},"tmpfs":{"type":"array","items":{"type":"object","properties":{"path":{"type":"string"},"sizeBytes":{"type":"number"}},"required":["path","sizeBytes"]}},"dryRun":{"type":"boolean"},"lowerdirs":{"type":"array","items":{"type":"string"},"description":"The layer directories of the plan the person confirmed: refused when the source's differ now."},"shareNs":{"type":"object","properties":{"container":{"$ref":"#/definitions/Subject"},"types":{"type":"array","items":{"$ref":"#/definitions/ShareableNs"}},"inodes":{"type":"object","properties":{"net":{"type":"number"},"pid":{"type":"number"},"ipc":{"type":"number"},"uts":{"type":"number"}}}},"required":["container","types"],"description":"Join these namespaces of a running container (as `kubectl debug --target`); the root and the mount namespace stay the launch's own. `inodes`: those of the plan the person confirmed, refused when they differ now."},"hostname":{"type":"string","description":"Default: the name. Not with a shared uts namespace (the target's is the one it has)."},"capDrop":{"type":"array","items":{"type":"string"},"description":"Capability names, with or without `CAP_`, taken from or added to Docker's default set; `ALL` drops or adds every one."},"capAdd":{"type":"array","items":{"type":"string"}},"userNs":{"type":"boolean","description":"A user namespace of its own: root inside is an unprivileged range of uids and gids outside."},"env":{"type":"array","items":{"type":"string"},"description":"`KEY=VALUE`, after PATH and HOSTNAME (which they may override)."}},"required":["from"],"description":"A test container launched next to an existing one: an overlay of `from`'s image (lower) layers with a fresh upper layer, run by runc with its own namespaces and the limits given (absent or null: none)."};
const schema51 = {"type":"string","enum":["net","pid","ipc","uts"]};

function validate36(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.from === undefined) && (missing0 = "from")){
validate36.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema48.required,parentSchema:schema48,data}];
return false;
}
else {
if(data.from !== undefined){
let data0 = data.from;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate36.errors = [{instancePath:instancePath+"/from",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate36.errors = [{instancePath:instancePath+"/from",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.name !== undefined){
let data1 = data.name;
const _errs4 = errors;
if(typeof data1 !== "string"){
validate36.errors = [{instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema48.properties.name.type,parentSchema:schema48.properties.name,data:data1}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.command !== undefined){
let data2 = data.command;
const _errs6 = errors;
if(errors === _errs6){
if(Array.isArray(data2)){
var valid2 = true;
const len0 = data2.length;
for(let i0=0; i0<len0; i0++){
let data3 = data2[i0];
const _errs8 = errors;
if(typeof data3 !== "string"){
validate36.errors = [{instancePath:instancePath+"/command/" + i0,schemaPath:"#/properties/command/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema48.properties.command.items.type,parentSchema:schema48.properties.command.items,data:data3}];
return false;
}
var valid2 = _errs8 === errors;
if(!valid2){
break;
}
}
}
else {
validate36.errors = [{instancePath:instancePath+"/command",schemaPath:"#/properties/command/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema48.properties.command.type,parentSchema:schema48.properties.command,data:data2}];
return false;
}
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.memoryBytes !== undefined){
let data4 = data.memoryBytes;
const _errs10 = errors;
if((!((typeof data4 == "number") && (isFinite(data4)))) && (data4 !== null)){
validate36.errors = [{instancePath:instancePath+"/memoryBytes",schemaPath:"#/properties/memoryBytes/type",keyword:"type",params:{type: schema48.properties.memoryBytes.type},message:"must be number,null",schema:schema48.properties.memoryBytes.type,parentSchema:schema48.properties.memoryBytes,data:data4}];
return false;
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.pidsMax !== undefined){
let data5 = data.pidsMax;
const _errs12 = errors;
if((!((typeof data5 == "number") && (isFinite(data5)))) && (data5 !== null)){
validate36.errors = [{instancePath:instancePath+"/pidsMax",schemaPath:"#/properties/pidsMax/type",keyword:"type",params:{type: schema48.properties.pidsMax.type},message:"must be number,null",schema:schema48.properties.pidsMax.type,parentSchema:schema48.properties.pidsMax,data:data5}];
return false;
}
var valid0 = _errs12 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.cpus !== undefined){
let data6 = data.cpus;
const _errs14 = errors;
if((!((typeof data6 == "number") && (isFinite(data6)))) && (data6 !== null)){
validate36.errors = [{instancePath:instancePath+"/cpus",schemaPath:"#/properties/cpus/type",keyword:"type",params:{type: schema48.properties.cpus.type},message:"must be number,null",schema:schema48.properties.cpus.type,parentSchema:schema48.properties.cpus,data:data6}];
return false;
}
var valid0 = _errs14 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.readOnly !== undefined){
let data7 = data.readOnly;
const _errs16 = errors;
if(typeof data7 !== "boolean"){
validate36.errors = [{instancePath:instancePath+"/readOnly",schemaPath:"#/properties/readOnly/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema48.properties.readOnly.type,parentSchema:schema48.properties.readOnly,data:data7}];
return false;
}
var valid0 = _errs16 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.tmpfs !== undefined){
let data8 = data.tmpfs;
const _errs18 = errors;
if(errors === _errs18){
if(Array.isArray(data8)){
var valid3 = true;
const len1 = data8.length;
for(let i1=0; i1<len1; i1++){
let data9 = data8[i1];
const _errs20 = errors;
if(errors === _errs20){
if(data9 && typeof data9 == "object" && !Array.isArray(data9)){
let missing1;
if(((data9.path === undefined) && (missing1 = "path")) || ((data9.sizeBytes === undefined) && (missing1 = "sizeBytes"))){
validate36.errors = [{instancePath:instancePath+"/tmpfs/" + i1,schemaPath:"#/properties/tmpfs/items/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'",schema:schema48.properties.tmpfs.items.required,parentSchema:schema48.properties.tmpfs.items,data:data9}];
return false;
}
else {
if(data9.path !== undefined){
let data10 = data9.path;
const _errs22 = errors;
if(typeof data10 !== "string"){
validate36.errors = [{instancePath:instancePath+"/tmpfs/" + i1+"/path",schemaPath:"#/properties/tmpfs/items/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema48.properties.tmpfs.items.properties.path.type,parentSchema:schema48.properties.tmpfs.items.properties.path,data:data10}];
return false;
}
var valid4 = _errs22 === errors;
}
else {
var valid4 = true;
}
if(valid4){
if(data9.sizeBytes !== undefined){
let data11 = data9.sizeBytes;
const _errs24 = errors;
if(!((typeof data11 == "number") && (isFinite(data11)))){
validate36.errors = [{instancePath:instancePath+"/tmpfs/" + i1+"/sizeBytes",schemaPath:"#/properties/tmpfs/items/properties/sizeBytes/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema48.properties.tmpfs.items.properties.sizeBytes.type,parentSchema:schema48.properties.tmpfs.items.properties.sizeBytes,data:data11}];
return false;
}
var valid4 = _errs24 === errors;
}
else {
var valid4 = true;
}
}
}
}
else {
validate36.errors = [{instancePath:instancePath+"/tmpfs/" + i1,schemaPath:"#/properties/tmpfs/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema48.properties.tmpfs.items.type,parentSchema:schema48.properties.tmpfs.items,data:data9}];
return false;
}
}
var valid3 = _errs20 === errors;
if(!valid3){
break;
}
}
}
else {
validate36.errors = [{instancePath:instancePath+"/tmpfs",schemaPath:"#/properties/tmpfs/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema48.properties.tmpfs.type,parentSchema:schema48.properties.tmpfs,data:data8}];
return false;
}
}
var valid0 = _errs18 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.dryRun !== undefined){
let data12 = data.dryRun;
const _errs26 = errors;
if(typeof data12 !== "boolean"){
validate36.errors = [{instancePath:instancePath+"/dryRun",schemaPath:"#/properties/dryRun/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema48.properties.dryRun.type,parentSchema:schema48.properties.dryRun,data:data12}];
return false;
}
var valid0 = _errs26 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.lowerdirs !== undefined){
let data13 = data.lowerdirs;
const _errs28 = errors;
if(errors === _errs28){
if(Array.isArray(data13)){
var valid5 = true;
const len2 = data13.length;
for(let i2=0; i2<len2; i2++){
let data14 = data13[i2];
const _errs30 = errors;
if(typeof data14 !== "string"){
validate36.errors = [{instancePath:instancePath+"/lowerdirs/" + i2,schemaPath:"#/properties/lowerdirs/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema48.properties.lowerdirs.items.type,parentSchema:schema48.properties.lowerdirs.items,data:data14}];
return false;
}
var valid5 = _errs30 === errors;
if(!valid5){
break;
}
}
}
else {
validate36.errors = [{instancePath:instancePath+"/lowerdirs",schemaPath:"#/properties/lowerdirs/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema48.properties.lowerdirs.type,parentSchema:schema48.properties.lowerdirs,data:data13}];
return false;
}
}
var valid0 = _errs28 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.shareNs !== undefined){
let data15 = data.shareNs;
const _errs32 = errors;
if(errors === _errs32){
if(data15 && typeof data15 == "object" && !Array.isArray(data15)){
let missing2;
if(((data15.container === undefined) && (missing2 = "container")) || ((data15.types === undefined) && (missing2 = "types"))){
validate36.errors = [{instancePath:instancePath+"/shareNs",schemaPath:"#/properties/shareNs/required",keyword:"required",params:{missingProperty: missing2},message:"must have required property '"+missing2+"'",schema:schema48.properties.shareNs.required,parentSchema:schema48.properties.shareNs,data:data15}];
return false;
}
else {
if(data15.container !== undefined){
let data16 = data15.container;
const _errs34 = errors;
const _errs35 = errors;
if(errors === _errs35){
if(typeof data16 === "string"){
if(data16.length < 1){
validate36.errors = [{instancePath:instancePath+"/shareNs/container",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data16}];
return false;
}
}
else {
validate36.errors = [{instancePath:instancePath+"/shareNs/container",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data16}];
return false;
}
}
var valid6 = _errs34 === errors;
}
else {
var valid6 = true;
}
if(valid6){
if(data15.types !== undefined){
let data17 = data15.types;
const _errs37 = errors;
if(errors === _errs37){
if(Array.isArray(data17)){
var valid8 = true;
const len3 = data17.length;
for(let i3=0; i3<len3; i3++){
let data18 = data17[i3];
const _errs39 = errors;
if(typeof data18 !== "string"){
validate36.errors = [{instancePath:instancePath+"/shareNs/types/" + i3,schemaPath:"#/definitions/ShareableNs/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema51.type,parentSchema:schema51,data:data18}];
return false;
}
if(!((((data18 === "net") || (data18 === "pid")) || (data18 === "ipc")) || (data18 === "uts"))){
validate36.errors = [{instancePath:instancePath+"/shareNs/types/" + i3,schemaPath:"#/definitions/ShareableNs/enum",keyword:"enum",params:{allowedValues: schema51.enum},message:"must be equal to one of the allowed values",schema:schema51.enum,parentSchema:schema51,data:data18}];
return false;
}
var valid8 = _errs39 === errors;
if(!valid8){
break;
}
}
}
else {
validate36.errors = [{instancePath:instancePath+"/shareNs/types",schemaPath:"#/properties/shareNs/properties/types/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema48.properties.shareNs.properties.types.type,parentSchema:schema48.properties.shareNs.properties.types,data:data17}];
return false;
}
}
var valid6 = _errs37 === errors;
}
else {
var valid6 = true;
}
if(valid6){
if(data15.inodes !== undefined){
let data19 = data15.inodes;
const _errs42 = errors;
if(errors === _errs42){
if(data19 && typeof data19 == "object" && !Array.isArray(data19)){
if(data19.net !== undefined){
let data20 = data19.net;
const _errs44 = errors;
if(!((typeof data20 == "number") && (isFinite(data20)))){
validate36.errors = [{instancePath:instancePath+"/shareNs/inodes/net",schemaPath:"#/properties/shareNs/properties/inodes/properties/net/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema48.properties.shareNs.properties.inodes.properties.net.type,parentSchema:schema48.properties.shareNs.properties.inodes.properties.net,data:data20}];
return false;
}
var valid10 = _errs44 === errors;
}
else {
var valid10 = true;
}
if(valid10){
if(data19.pid !== undefined){
let data21 = data19.pid;
const _errs46 = errors;
if(!((typeof data21 == "number") && (isFinite(data21)))){
validate36.errors = [{instancePath:instancePath+"/shareNs/inodes/pid",schemaPath:"#/properties/shareNs/properties/inodes/properties/pid/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema48.properties.shareNs.properties.inodes.properties.pid.type,parentSchema:schema48.properties.shareNs.properties.inodes.properties.pid,data:data21}];
return false;
}
var valid10 = _errs46 === errors;
}
else {
var valid10 = true;
}
if(valid10){
if(data19.ipc !== undefined){
let data22 = data19.ipc;
const _errs48 = errors;
if(!((typeof data22 == "number") && (isFinite(data22)))){
validate36.errors = [{instancePath:instancePath+"/shareNs/inodes/ipc",schemaPath:"#/properties/shareNs/properties/inodes/properties/ipc/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema48.properties.shareNs.properties.inodes.properties.ipc.type,parentSchema:schema48.properties.shareNs.properties.inodes.properties.ipc,data:data22}];
return false;
}
var valid10 = _errs48 === errors;
}
else {
var valid10 = true;
}
if(valid10){
if(data19.uts !== undefined){
let data23 = data19.uts;
const _errs50 = errors;
if(!((typeof data23 == "number") && (isFinite(data23)))){
validate36.errors = [{instancePath:instancePath+"/shareNs/inodes/uts",schemaPath:"#/properties/shareNs/properties/inodes/properties/uts/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema48.properties.shareNs.properties.inodes.properties.uts.type,parentSchema:schema48.properties.shareNs.properties.inodes.properties.uts,data:data23}];
return false;
}
var valid10 = _errs50 === errors;
}
else {
var valid10 = true;
}
}
}
}
}
else {
validate36.errors = [{instancePath:instancePath+"/shareNs/inodes",schemaPath:"#/properties/shareNs/properties/inodes/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema48.properties.shareNs.properties.inodes.type,parentSchema:schema48.properties.shareNs.properties.inodes,data:data19}];
return false;
}
}
var valid6 = _errs42 === errors;
}
else {
var valid6 = true;
}
}
}
}
}
else {
validate36.errors = [{instancePath:instancePath+"/shareNs",schemaPath:"#/properties/shareNs/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema48.properties.shareNs.type,parentSchema:schema48.properties.shareNs,data:data15}];
return false;
}
}
var valid0 = _errs32 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.hostname !== undefined){
let data24 = data.hostname;
const _errs52 = errors;
if(typeof data24 !== "string"){
validate36.errors = [{instancePath:instancePath+"/hostname",schemaPath:"#/properties/hostname/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema48.properties.hostname.type,parentSchema:schema48.properties.hostname,data:data24}];
return false;
}
var valid0 = _errs52 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.capDrop !== undefined){
let data25 = data.capDrop;
const _errs54 = errors;
if(errors === _errs54){
if(Array.isArray(data25)){
var valid11 = true;
const len4 = data25.length;
for(let i4=0; i4<len4; i4++){
let data26 = data25[i4];
const _errs56 = errors;
if(typeof data26 !== "string"){
validate36.errors = [{instancePath:instancePath+"/capDrop/" + i4,schemaPath:"#/properties/capDrop/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema48.properties.capDrop.items.type,parentSchema:schema48.properties.capDrop.items,data:data26}];
return false;
}
var valid11 = _errs56 === errors;
if(!valid11){
break;
}
}
}
else {
validate36.errors = [{instancePath:instancePath+"/capDrop",schemaPath:"#/properties/capDrop/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema48.properties.capDrop.type,parentSchema:schema48.properties.capDrop,data:data25}];
return false;
}
}
var valid0 = _errs54 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.capAdd !== undefined){
let data27 = data.capAdd;
const _errs58 = errors;
if(errors === _errs58){
if(Array.isArray(data27)){
var valid12 = true;
const len5 = data27.length;
for(let i5=0; i5<len5; i5++){
let data28 = data27[i5];
const _errs60 = errors;
if(typeof data28 !== "string"){
validate36.errors = [{instancePath:instancePath+"/capAdd/" + i5,schemaPath:"#/properties/capAdd/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema48.properties.capAdd.items.type,parentSchema:schema48.properties.capAdd.items,data:data28}];
return false;
}
var valid12 = _errs60 === errors;
if(!valid12){
break;
}
}
}
else {
validate36.errors = [{instancePath:instancePath+"/capAdd",schemaPath:"#/properties/capAdd/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema48.properties.capAdd.type,parentSchema:schema48.properties.capAdd,data:data27}];
return false;
}
}
var valid0 = _errs58 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.userNs !== undefined){
let data29 = data.userNs;
const _errs62 = errors;
if(typeof data29 !== "boolean"){
validate36.errors = [{instancePath:instancePath+"/userNs",schemaPath:"#/properties/userNs/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema48.properties.userNs.type,parentSchema:schema48.properties.userNs,data:data29}];
return false;
}
var valid0 = _errs62 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.env !== undefined){
let data30 = data.env;
const _errs64 = errors;
if(errors === _errs64){
if(Array.isArray(data30)){
var valid13 = true;
const len6 = data30.length;
for(let i6=0; i6<len6; i6++){
let data31 = data30[i6];
const _errs66 = errors;
if(typeof data31 !== "string"){
validate36.errors = [{instancePath:instancePath+"/env/" + i6,schemaPath:"#/properties/env/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema48.properties.env.items.type,parentSchema:schema48.properties.env.items,data:data31}];
return false;
}
var valid13 = _errs66 === errors;
if(!valid13){
break;
}
}
}
else {
validate36.errors = [{instancePath:instancePath+"/env",schemaPath:"#/properties/env/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema48.properties.env.type,parentSchema:schema48.properties.env,data:data30}];
return false;
}
}
var valid0 = _errs64 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
else {
validate36.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema48.type,parentSchema:schema48,data}];
return false;
}
}
validate36.errors = vErrors;
return errors === 0;
}

exports["launch.stop"] = validate37;
const schema110 = {"type":"object","properties":{"container":{"$ref":"#/definitions/Subject"},"dryRun":{"type":"boolean"}},"required":["container"]};

function validate37(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.container === undefined) && (missing0 = "container")){
validate37.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema110.required,parentSchema:schema110,data}];
return false;
}
else {
if(data.container !== undefined){
let data0 = data.container;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate37.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate37.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.dryRun !== undefined){
let data1 = data.dryRun;
const _errs4 = errors;
if(typeof data1 !== "boolean"){
validate37.errors = [{instancePath:instancePath+"/dryRun",schemaPath:"#/properties/dryRun/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema110.properties.dryRun.type,parentSchema:schema110.properties.dryRun,data:data1}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate37.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema110.type,parentSchema:schema110,data}];
return false;
}
}
validate37.errors = vErrors;
return errors === 0;
}

exports.diagnose = validate38;
const schema112 = {"type":"object","properties":{"container":{"$ref":"#/definitions/Subject"}},"required":["container"]};

function validate38(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.container === undefined) && (missing0 = "container")){
validate38.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema112.required,parentSchema:schema112,data}];
return false;
}
else {
if(data.container !== undefined){
let data0 = data.container;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(data0.length < 1){
validate38.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
}
else {
validate38.errors = [{instancePath:instancePath+"/container",schemaPath:"#/definitions/Subject/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
}
}
}
else {
validate38.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema112.type,parentSchema:schema112,data}];
return false;
}
}
validate38.errors = vErrors;
return errors === 0;
}

exports.shutdown = validate39;
const schema114 = {"type":"object","additionalProperties":{"not":{}}};

function validate39(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
const _errs2 = errors;
validate39.errors = [{instancePath:instancePath+"/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/additionalProperties/not",keyword:"not",params:{},message:"must NOT be valid",schema:schema114.additionalProperties.not,parentSchema:schema114.additionalProperties,data:data[key0]}];
return false;
var valid0 = _errs2 === errors;
if(!valid0){
break;
}
}
}
else {
validate39.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema114.type,parentSchema:schema114,data}];
return false;
}
}
validate39.errors = vErrors;
return errors === 0;
}

