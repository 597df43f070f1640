#!/usr/bin/env node
import { Catalog } from '../catalog/catalog'
console.log(typeof Catalog)
