package com.acme;

import dln.runtime.Backend;
import dln.runtime.Model;

/** Java code written against the class generated from tower.dln. */
final class Use {
    private Use() {}

    static Model open(Backend backend) {
        return new Tower(backend, 8);
    }
}
